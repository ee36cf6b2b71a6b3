package recordings

import (
	"fmt"
	"time"

	"github.com/google/uuid"
)

const (
	// wavExt ends the name of a finished recording; partExt follows it while the recording is written.
	wavExt  = ".wav"
	partExt = ".part"
)

// callZone is Asia/Ho_Chi_Minh, which has kept UTC+7 without daylight saving since 1975. A fixed zone
// needs no time zone database on the host.
var callZone = time.FixedZone("ICT", 7*60*60)

// relPath returns where the recording of call id, which arrived at arrived, is stored relative to the
// recordings folder: YYYY/MM/DD/<id>.wav, dated in Asia/Ho_Chi_Minh.
func relPath(id string, arrived time.Time) (string, error) {
	u, err := uuid.Parse(id)
	if err != nil || u.String() != id {
		return "", fmt.Errorf("%w: %q", ErrBadID, id)
	}
	return arrived.In(callZone).Format("2006/01/02/") + id + wavExt, nil
}
