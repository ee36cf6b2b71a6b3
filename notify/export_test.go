package notify

import (
	"context"
	"time"
)

// EnqueueChunked is EnqueueMany with statements of at most maxBytes of bodies, so that tests may cut a
// call into several without sending 32 MiB.
func EnqueueChunked(ctx context.Context, q Querier, ns []Notification, now time.Time, maxBytes int) (int, error) {
	return enqueueMany(ctx, q, ns, now, maxBytes)
}
