package sdp

import "strconv"

// Direction is the direction of a media stream (RFC 3264 §5.1), seen from the
// side that wrote the description.
type Direction int

// Directions. The zero value, SendRecv, is the default when a description
// names none.
const (
	SendRecv Direction = iota
	SendOnly
	RecvOnly
	Inactive
)

// String returns the attribute name: "sendrecv", "sendonly", "recvonly" or
// "inactive".
func (d Direction) String() string {
	switch d {
	case SendRecv:
		return "sendrecv"
	case SendOnly:
		return "sendonly"
	case RecvOnly:
		return "recvonly"
	case Inactive:
		return "inactive"
	}
	return "Direction(" + strconv.Itoa(int(d)) + ")"
}

// sends reports whether the side that wrote d sends media. Unknown values
// count as SendRecv.
func (d Direction) sends() bool { return d != RecvOnly && d != Inactive }

// receives reports whether the side that wrote d receives media.
func (d Direction) receives() bool { return d != SendOnly && d != Inactive }

// directionOf builds the Direction with the given capabilities.
func directionOf(sends, receives bool) Direction {
	switch {
	case sends && receives:
		return SendRecv
	case sends:
		return SendOnly
	case receives:
		return RecvOnly
	}
	return Inactive
}

// parseDirection maps a direction attribute name to its Direction.
func parseDirection(name string) (Direction, bool) {
	switch name {
	case "sendrecv":
		return SendRecv, true
	case "sendonly":
		return SendOnly, true
	case "recvonly":
		return RecvOnly, true
	case "inactive":
		return Inactive, true
	}
	return SendRecv, false
}
