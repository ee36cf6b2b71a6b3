package ticketing

import (
	"fmt"
	"math"
	"time"
)

// The Vietnamese lunar calendar (âm lịch), as Vietnamese almanacs print it.
//
// Months begin on the day (in local time, UTC+7) of the astronomical new moon; the eleventh month holds
// the winter solstice; a year with thirteen months repeats, as a leap month (tháng nhuận), the first month
// after the eleventh that contains no major solar term (trung khí). This is Hồ Ngọc Đức's algorithm
// ("Thuật toán tính âm lịch", https://www.informatik.uni-leipzig.de/~duc/amlich/), with the new moon and the
// sun's longitude from Jean Meeus, "Astronomical Algorithms" (1998).
//
// The Chinese calendar follows the same rules for UTC+8, so in some years a new moon that falls just before
// midnight in Hà Nội falls just after it in Beijing, and the two calendars disagree by a day or a month (Tết
// 1985 was on 21 January in Viet Nam and on 20 February in China). Never use a Chinese-calendar library here.
//
// Dates are proleptic Gregorian, like time.Time, and the calendar is computed for the years 1001–3000.
// The results agree day by day with Hồ Ngọc Đức's published year tables (testdata/lunar-years.txt) from
// 1968 to 2199, but for one new moon within a minute of midnight in 2054. Before Tết Mậu Thân (1968) the
// calendar in use in Viet Nam was reckoned for UTC+8, as the Chinese one, and so are the tables; this
// package computes for UTC+7 throughout, as Hồ Ngọc Đức's converter does.

// vietnamUTCOffset is the time zone of the Vietnamese lunar calendar, in hours east of UTC.
const vietnamUTCOffset = 7.0

// The years in which the calendar is computed: the astronomy here is meant for a few centuries around 2000.
const (
	lunarFirstYear = 1001
	lunarLastYear  = 3000
)

// LunarDate is a day of the Vietnamese lunar calendar. Year is the Gregorian year in which the lunar year
// begins (Tết); Leap marks the days of a leap month, which repeats the number of the month before it.
type LunarDate struct {
	Year, Month, Day int
	Leap             bool
}

// String writes the date as Vietnamese calendars do, day/month/year, with "nhuận" after a leap month.
func (l LunarDate) String() string {
	if l.Leap {
		return fmt.Sprintf("%d/%d nhuận/%d", l.Day, l.Month, l.Year)
	}
	return fmt.Sprintf("%d/%d/%d", l.Day, l.Month, l.Year)
}

// SolarToLunar returns the Vietnamese lunar date of a Gregorian date, or the zero LunarDate for a date
// outside the lunar years 1001–3000. Out-of-range days and months are normalized as time.Date does
// (31 April is 1 May).
func SolarToLunar(y int, m time.Month, d int) LunarDate {
	jd := julianDay(y, m, d)
	if y, _, _ := dateOfJulianDay(jd); y < lunarFirstYear || y > lunarLastYear+1 {
		return LunarDate{}
	}
	l := solarToLunar(jd, vietnamUTCOffset)
	if l.Year < lunarFirstYear || l.Year > lunarLastYear {
		return LunarDate{}
	}
	return l
}

// LunarToSolar returns the Gregorian date of a Vietnamese lunar date, and false when that date does not
// exist: a month outside 1–12, a day outside the month (a lunar month has 29 or 30 days), Leap set for a
// month that is not repeated in that year, or a year outside 1001–3000.
func LunarToSolar(l LunarDate) (y int, m time.Month, d int, ok bool) {
	if l.Year < lunarFirstYear || l.Year > lunarLastYear {
		return 0, 0, 0, false
	}
	jd, ok := lunarToJulianDay(l, vietnamUTCOffset)
	if !ok {
		return 0, 0, 0, false
	}
	y, m, d = dateOfJulianDay(jd)
	return y, m, d, true
}

// julianDayEpoch is the Julian day number of 1970-01-01.
const julianDayEpoch = 2440588

// julianDay returns the Julian day number of a proleptic Gregorian date.
func julianDay(y int, m time.Month, d int) int {
	return daysFromCivil(y, m, d) + julianDayEpoch
}

// dateOfJulianDay is the inverse of julianDay.
func dateOfJulianDay(jd int) (int, time.Month, int) {
	return civilFromDays(jd - julianDayEpoch)
}

// daysFromCivil returns the number of days from 1970-01-01 to a proleptic Gregorian date, normalizing the
// month and the day as time.Date does (Howard Hinnant's days_from_civil).
func daysFromCivil(y int, m time.Month, d int) int {
	if m < 1 || m > 12 {
		q := int(m-1) / 12
		if int(m-1)%12 < 0 {
			q--
		}
		y += q
		m -= time.Month(12 * q)
	}
	mm := int(m)
	if mm <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := (mm + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// civilFromDays is the inverse of daysFromCivil (Howard Hinnant's civil_from_days).
func civilFromDays(z int) (int, time.Month, int) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return y, time.Month(m), d
}

// floorDiv divides rounding towards minus infinity.
func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// synodicMonth is the mean length of a lunation in days.
const synodicMonth = 29.530588861

// newMoonEpoch is the Julian ephemeris day of the mean new moon of 2000-01-06, lunation 0 in newMoon.
const newMoonEpoch = 2451550.09766

// newMoon returns the Julian day (with fraction, UT) of the k-th new moon after that of 2000-01-06, with
// all the periodic terms of Meeus, chapter 49 (within a few seconds of the true instant), less ΔT.
// Hồ Ngọc Đức's own code keeps only the largest terms; their instants differ by a minute or two, which
// changes the day when a new moon falls near midnight (as in 2072, 2077, 2130: the full series agrees with
// his published tables there).
func newMoon(k int) float64 {
	const dr = math.Pi / 180
	kf := float64(k)
	t := kf / 1236.85 // Julian centuries from 2000
	t2, t3, t4 := t*t, t*t*t, t*t*t*t
	jde := newMoonEpoch + synodicMonth*kf + 0.00015437*t2 - 0.000000150*t3 + 0.00000000073*t4
	e := 1 - 0.002516*t - 0.0000074*t2
	m := (2.5534 + 29.10535670*kf - 0.0000014*t2 - 0.00000011*t3) * dr                      // the sun's mean anomaly
	mp := (201.5643 + 385.81693528*kf + 0.0107582*t2 + 0.00001238*t3 - 0.000000058*t4) * dr // the moon's
	f := (160.7108 + 390.67050284*kf - 0.0016118*t2 - 0.00000227*t3 + 0.000000011*t4) * dr  // argument of latitude
	om := (124.7746 - 1.56375588*kf + 0.0020672*t2 + 0.00000215*t3) * dr                    // ascending node
	sin := math.Sin
	c := -0.40720*sin(mp) + 0.17241*e*sin(m) + 0.01608*sin(2*mp) + 0.01039*sin(2*f) +
		0.00739*e*sin(mp-m) - 0.00514*e*sin(mp+m) + 0.00208*e*e*sin(2*m) - 0.00111*sin(mp-2*f) -
		0.00057*sin(mp+2*f) + 0.00056*e*sin(2*mp+m) - 0.00042*sin(3*mp) + 0.00042*e*sin(m+2*f) +
		0.00038*e*sin(m-2*f) - 0.00024*e*sin(2*mp-m) - 0.00017*sin(om) - 0.00007*sin(mp+2*m) +
		0.00004*sin(2*mp-2*f) + 0.00004*sin(3*m) + 0.00003*sin(mp+m-2*f) + 0.00003*sin(2*mp+2*f) -
		0.00003*sin(mp+m+2*f) + 0.00003*sin(mp-m+2*f) - 0.00002*sin(mp-m-2*f) - 0.00002*sin(3*mp+m) +
		0.00002*sin(4*mp)
	// The planetary arguments A1–A14.
	c += 0.000325*sin((299.77+0.107408*kf-0.009173*t2)*dr) + 0.000165*sin((251.88+0.016321*kf)*dr) +
		0.000164*sin((251.83+26.651886*kf)*dr) + 0.000126*sin((349.42+36.412478*kf)*dr) +
		0.000110*sin((84.66+18.206239*kf)*dr) + 0.000062*sin((141.74+53.303771*kf)*dr) +
		0.000060*sin((207.14+2.453732*kf)*dr) + 0.000056*sin((154.84+7.306860*kf)*dr) +
		0.000047*sin((34.52+27.261239*kf)*dr) + 0.000042*sin((207.19+0.121824*kf)*dr) +
		0.000040*sin((291.34+1.844379*kf)*dr) + 0.000037*sin((161.72+24.198154*kf)*dr) +
		0.000035*sin((239.56+25.513099*kf)*dr) + 0.000023*sin((331.55+3.592518*kf)*dr)
	jde += c
	return jde - deltaT(jde)/86400
}

// deltaT returns ΔT = TT − UT in seconds at Julian day jd, from the polynomials of Espenak and Meeus
// (NASA, "Polynomial expressions for Delta T"); past 2050 they are an extrapolation, which is why a new
// moon within a minute or two of midnight cannot be dated for sure decades ahead (2054-05-08 00:01 is one).
func deltaT(jd float64) float64 {
	y := 2000 + (jd-2451544.5)/365.25
	switch {
	case y < 1860:
		u := (y - 1820) / 100
		return -20 + 32*u*u
	case y < 1900:
		t := y - 1860
		return 7.62 + 0.5737*t - 0.251754*t*t + 0.01680668*t*t*t - 0.0004473624*t*t*t*t + t*t*t*t*t/233174
	case y < 1920:
		t := y - 1900
		return -2.79 + 1.494119*t - 0.0598939*t*t + 0.0061966*t*t*t - 0.000197*t*t*t*t
	case y < 1941:
		t := y - 1920
		return 21.20 + 0.84493*t - 0.076100*t*t + 0.0020936*t*t*t
	case y < 1961:
		t := y - 1950
		return 29.07 + 0.407*t - t*t/233 + t*t*t/2547
	case y < 1986:
		t := y - 1975
		return 45.45 + 1.067*t - t*t/260 - t*t*t/718
	case y < 2005:
		t := y - 2000
		return 63.86 + 0.3345*t - 0.060374*t*t + 0.0017275*t*t*t + 0.000651814*t*t*t*t + 0.00002373599*t*t*t*t*t
	case y < 2050:
		t := y - 2000
		return 62.92 + 0.32217*t + 0.005589*t*t
	case y < 2150:
		u := (y - 1820) / 100
		return -20 + 32*u*u - 0.5628*(2150-y)
	default:
		u := (y - 1820) / 100
		return -20 + 32*u*u
	}
}

// sunLongitude returns the sun's apparent longitude in radians, in [0, 2π), at Julian day jd
// (Meeus, chapter 25, low accuracy: about 0.01°).
func sunLongitude(jd float64) float64 {
	const dr = math.Pi / 180
	t := (jd - 2451545.0) / 36525 // Julian centuries from 2000-01-01 12:00
	t2 := t * t
	m := 357.52910 + 35999.05030*t - 0.0001559*t2 - 0.00000048*t*t2 // mean anomaly
	l0 := 280.46645 + 36000.76983*t + 0.0003032*t2                  // mean longitude
	dl := (1.914600 - 0.004817*t - 0.000014*t2) * math.Sin(dr*m)
	dl += (0.019993-0.000101*t)*math.Sin(dr*2*m) + 0.000290*math.Sin(dr*3*m)
	omega := 125.04 - 1934.136*t                               // for nutation
	l := (l0 + dl - 0.00569 - 0.00478*math.Sin(omega*dr)) * dr // with aberration and nutation
	l -= 2 * math.Pi * math.Floor(l/(2*math.Pi))
	return l
}

// sunSector returns which of the twelve 30° sectors (0 from the March equinox) the sun is in at the local
// midnight that begins Julian day number day.
func sunSector(day int, tz float64) int {
	return int(math.Floor(sunLongitude(float64(day)-0.5-tz/24) / math.Pi * 6))
}

// newMoonDay returns the Julian day number of the local day on which the k-th new moon falls.
func newMoonDay(k int, tz float64) int {
	return int(math.Floor(newMoon(k) + 0.5 + tz/24))
}

// month11 returns the Julian day number of the first day of the lunar month that holds the winter solstice
// of Gregorian year y.
func month11(y int, tz float64) int {
	k := int(math.Floor((float64(julianDay(y, time.December, 31)) - newMoonEpoch) / synodicMonth))
	nm := newMoonDay(k, tz)
	if sunSector(nm, tz) >= 9 { // the sun is already past 270°: the solstice came before this new moon
		nm = newMoonDay(k-1, tz)
	}
	return nm
}

// leapMonthOffset returns, for a thirteen-month year whose month 11 begins on a11, the number of months
// after month 11 of the first month without a major solar term: the leap month.
func leapMonthOffset(a11 int, tz float64) int {
	k := int(math.Floor((float64(a11)-newMoonEpoch)/synodicMonth + 0.5))
	i := 1
	arc := sunSector(newMoonDay(k+i, tz), tz)
	for {
		last := arc
		i++
		arc = sunSector(newMoonDay(k+i, tz), tz)
		if arc == last || i >= 14 {
			break
		}
	}
	return i - 1
}

// solarToLunar converts Julian day number jd to the lunar calendar of time zone tz (hours east of UTC).
func solarToLunar(jd int, tz float64) LunarDate {
	// The mean lunation is a guess: the true new moon may be a day either side of it.
	k := int(math.Floor((float64(jd) - newMoonEpoch) / synodicMonth))
	for newMoonDay(k+1, tz) <= jd {
		k++
	}
	monthStart := newMoonDay(k, tz)
	for monthStart > jd {
		k--
		monthStart = newMoonDay(k, tz)
	}
	y, _, _ := dateOfJulianDay(jd)
	a11 := month11(y, tz)
	b11 := a11
	var year int
	if a11 >= monthStart {
		year = y
		a11 = month11(y-1, tz)
	} else {
		year = y + 1
		b11 = month11(y+1, tz)
	}
	day := jd - monthStart + 1
	diff := (monthStart - a11) / 29
	month := diff + 11
	leap := false
	if b11-a11 > 365 {
		leapDiff := leapMonthOffset(a11, tz)
		if diff >= leapDiff {
			month = diff + 10
			leap = diff == leapDiff
		}
	}
	if month > 12 {
		month -= 12
	}
	if month >= 11 && diff < 4 {
		year--
	}
	return LunarDate{Year: year, Month: month, Day: day, Leap: leap}
}

// lunarToJulianDay converts a lunar date of time zone tz to a Julian day number, and false when the date
// does not exist.
func lunarToJulianDay(l LunarDate, tz float64) (int, bool) {
	if l.Month < 1 || l.Month > 12 || l.Day < 1 || l.Day > 30 {
		return 0, false
	}
	var a11, b11 int
	if l.Month < 11 {
		a11 = month11(l.Year-1, tz)
		b11 = month11(l.Year, tz)
	} else {
		a11 = month11(l.Year, tz)
		b11 = month11(l.Year+1, tz)
	}
	k := int(math.Floor(0.5 + (float64(a11)-newMoonEpoch)/synodicMonth))
	off := l.Month - 11
	if off < 0 {
		off += 12
	}
	if b11-a11 > 365 {
		leapOff := leapMonthOffset(a11, tz)
		leapMonth := leapOff - 2
		if leapMonth < 0 {
			leapMonth += 12
		}
		switch {
		case l.Leap && l.Month != leapMonth:
			return 0, false
		case l.Leap || off >= leapOff:
			off++
		}
	} else if l.Leap {
		return 0, false
	}
	start := newMoonDay(k+off, tz)
	if l.Day > newMoonDay(k+off+1, tz)-start {
		return 0, false
	}
	return start + l.Day - 1, true
}
