package main

import (
	"context"
	"time"

	"github.com/google/uuid"

	"hotline/cmd/hotline/internal/callflow"
	"hotline/queue"
	"hotline/queue/queuepg"
)

// deskAPI is the HTTP API's view of the call desk: the queue's store for reads and state changes (which
// wake the dispatcher), the call flow for pickups (it rings the phone and joins the caller).
type deskAPI struct {
	*queuepg.Store
	flow       *callflow.Flow
	dispatcher *queue.Dispatcher
}

func (d deskAPI) SetState(ctx context.Context, ext string, to queue.State, reason string, now time.Time) error {
	err := d.Store.SetState(ctx, ext, to, reason, now)
	if err == nil {
		d.dispatcher.Kick()
	}
	return err
}

func (d deskAPI) Pickup(ctx context.Context, ext string, callID *uuid.UUID) (uuid.UUID, error) {
	return d.flow.Pickup(ctx, ext, callID)
}
