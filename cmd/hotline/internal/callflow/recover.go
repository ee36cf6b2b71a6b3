package callflow

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"hotline/calls"
	"hotline/recordings"
)

// Recover finishes what a crash of this node left: it repairs the cut recordings under dir, stores their
// rows, and ends this node's open calls with reason "crash" (at the end of their recording when there is
// one). It must run before the SIP port opens. It returns how many calls it ended.
func Recover(ctx context.Context, node, dir string, store *calls.Store, log *slog.Logger) (int, error) {
	repaired, err := recordings.Repair(ctx, dir, log)
	if err != nil {
		return 0, fmt.Errorf("repair recordings: %w", err)
	}
	byCall := map[uuid.UUID]recordings.Result{}
	for _, r := range repaired {
		id, err := uuid.Parse(r.ID)
		if err != nil {
			log.Warn("repaired recording has no call id in its name", "path", r.Path)
			continue
		}
		byCall[id] = r
	}
	open, err := store.Open(ctx, node)
	if err != nil {
		return 0, err
	}
	now := time.Now().UTC()
	var cs []*calls.Call
	var rs []*calls.Recording
	for i := range open {
		c := &open[i]
		ended := now
		if res, ok := byCall[c.ID]; ok && c.AnsweredAt != nil {
			ended = c.AnsweredAt.Add(res.Duration)
			row := recordingRow(c.ID, *c.AnsweredAt, res, true)
			rs = append(rs, &row)
			delete(byCall, c.ID)
		}
		c.EndedAt, c.EndReason = &ended, calls.EndCrash
		c.Version++
		cs = append(cs, c)
	}
	for id, res := range byCall {
		// A recording whose call is closed or unknown (its row was never written): keep the file, say so.
		log.Warn("repaired recording of a call that is not open on this node; file kept", "call_id", id,
			"path", res.Path)
	}
	if err := store.Write(ctx, cs, rs); err != nil {
		return 0, fmt.Errorf("end crashed calls: %w", err)
	}
	if len(cs) > 0 || len(repaired) > 0 {
		log.Info("recovered from a crash", "calls_ended", len(cs), "recordings_repaired", len(repaired))
	}
	return len(cs), nil
}
