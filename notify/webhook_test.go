package notify_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"hotline/notify"
)

// receiver is a department's webhook endpoint: it checks every request as a careful receiver would and
// answers what answer says (200 by default).
type receiver struct {
	t       *testing.T
	secrets map[string]string // path → the department's secret
	// answer gives the status for the n-th request (from 1) carrying key; nil: 200.
	answer func(key string, n int) int

	mu        sync.Mutex
	requests  map[string]int // key → requests
	delivered map[string]int // key → 2xx answers
	bodies    map[string][]byte
	srv       *httptest.Server
}

func newReceiver(t *testing.T, secrets map[string]string, answer func(key string, n int) int) *receiver {
	r := &receiver{t: t, secrets: secrets, answer: answer, requests: map[string]int{}, delivered: map[string]int{},
		bodies: map[string][]byte{}}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) url(path string) string { return r.srv.URL + path }

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	t := r.t
	body, err := io.ReadAll(req.Body)
	if err != nil {
		t.Errorf("read body: %v", err)
	}
	key := req.Header.Get("Idempotency-Key")
	var payload struct {
		Key string `json:"idempotency_key"`
	}
	if err := json.Unmarshal(body, &payload); err != nil || payload.Key != key || key == "" {
		t.Errorf("Idempotency-Key %q, body's idempotency_key %q (%v)", key, payload.Key, err)
	}
	if req.Method != http.MethodPost || req.Header.Get("Content-Type") != "application/json" ||
		req.Header.Get("User-Agent") != "hotline" {
		t.Errorf("%s with Content-Type %q, User-Agent %q", req.Method, req.Header.Get("Content-Type"), req.UserAgent())
	}
	// The signature, computed here from scratch.
	secret, known := r.secrets[req.URL.Path]
	if !known {
		t.Errorf("a request to %s", req.URL.Path)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	got := req.Header.Get("X-Hotline-Signature")
	switch {
	case secret == "" && got != "":
		t.Errorf("%s: X-Hotline-Signature %q without a secret", key, got)
	case secret != "" && (got != want || !notify.Verify([]byte(secret), body, got)):
		t.Errorf("%s: X-Hotline-Signature %q, want %q", key, got, want)
	}

	r.mu.Lock()
	r.requests[key]++
	n := r.requests[key]
	if prev, ok := r.bodies[key]; ok && string(prev) != string(body) {
		t.Errorf("%s: the body changed between attempts", key)
	}
	r.bodies[key] = body
	r.mu.Unlock()

	status := http.StatusOK
	if r.answer != nil {
		status = r.answer(key, n)
	}
	if status >= 200 && status < 300 {
		r.mu.Lock()
		r.delivered[key]++
		r.mu.Unlock()
	}
	w.WriteHeader(status)
	if status >= 400 {
		fmt.Fprint(w, "hệ thống đang bảo trì, thử lại sau")
	}
}

func (r *receiver) counts(key string) (requests, delivered int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests[key], r.delivered[key]
}

func deliver(t *testing.T, d *notify.Deliverer, now time.Time) int {
	t.Helper()
	n, err := d.DeliverDue(context.Background(), now)
	if err != nil {
		t.Fatalf("deliver at %s: %v", now.Format(time.TimeOnly), err)
	}
	return n
}

func TestWebhooksAreSignedWithTheirDepartmentsSecret(t *testing.T) {
	t.Parallel()
	pool := setup(t)
	rcv := newReceiver(t, map[string]string{"/xd": "bí-mật-xây-dựng", "/yt": "y-te-secret", "/open": ""}, nil)
	d := newDeliverer(t, pool, notify.Config{})
	keys := map[string]string{"k-xd": "/xd", "k-yt": "/yt", "k-open": "/open"}
	for key, path := range keys {
		enqueue(t, pool, webhook(key, rcv.url(path), rcv.secrets[path]), t0)
	}
	if n := deliver(t, d, t0.Add(time.Second)); n != 3 {
		t.Fatalf("attempted %d, want 3", n)
	}
	for key := range keys {
		if req, ok := rcv.counts(key); req != 1 || ok != 1 {
			t.Errorf("%s: %d requests, %d delivered", key, req, ok)
		}
		e := entry(t, pool, key)
		if e.State != notify.Delivered || e.Attempts != 1 || !e.DeliveredAt.Equal(t0.Add(time.Second)) || e.LastError != "" {
			t.Errorf("%s: %+v", key, e)
		}
	}
	if n := deliver(t, d, t0.Add(time.Hour)); n != 0 {
		t.Errorf("delivered notifications attempted again: %d", n)
	}
}

func TestSignMatchesTheDocumentedForm(t *testing.T) {
	t.Parallel()
	// HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog"), a published test vector.
	got := notify.Sign([]byte("key"), []byte("The quick brown fox jumps over the lazy dog"))
	if want := "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"; got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
	if notify.Verify([]byte("other"), []byte("The quick brown fox jumps over the lazy dog"), got) {
		t.Error("Verify accepted the wrong secret")
	}
}

func TestAFailingReceiverGetsRetriesWithGrowingBackoff(t *testing.T) {
	t.Parallel()
	pool := setup(t)
	rcv := newReceiver(t, map[string]string{"/xd": "s"}, func(key string, n int) int {
		if n <= 2 {
			return http.StatusServiceUnavailable
		}
		return http.StatusNoContent
	})
	d := newDeliverer(t, pool, notify.Config{})
	enqueue(t, pool, webhook("k", rcv.url("/xd"), "s"), t0)

	now := t0
	var delays []time.Duration
	for attempt := 1; attempt <= 3; attempt++ {
		if n := deliver(t, d, now); n != 1 {
			t.Fatalf("attempt %d: attempted %d", attempt, n)
		}
		e := entry(t, pool, "k")
		if e.Attempts != attempt {
			t.Fatalf("attempts %d, want %d", e.Attempts, attempt)
		}
		if attempt == 3 {
			if e.State != notify.Delivered || !e.DeliveredAt.Equal(now) || e.LastError != "" {
				t.Errorf("after the third attempt: %+v", e)
			}
			break
		}
		if e.State != notify.Pending || !strings.Contains(e.LastError, "503") ||
			!strings.Contains(e.LastError, "hệ thống đang bảo trì") {
			t.Errorf("after attempt %d: state %s, last error %q", attempt, e.State, e.LastError)
		}
		delay := e.NextAttemptAt.Sub(now)
		// 30 s doubling, with equal jitter: [15 s, 30 s], then [30 s, 60 s].
		base := 30 * time.Second << (attempt - 1)
		if delay < base/2 || delay > base {
			t.Errorf("delay after attempt %d: %s, want within [%s, %s]", attempt, delay, base/2, base)
		}
		delays = append(delays, delay)
		// Not due a moment before.
		if n := deliver(t, d, e.NextAttemptAt.Add(-time.Millisecond)); n != 0 {
			t.Errorf("attempted %d before it was due", n)
		}
		now = e.NextAttemptAt
	}
	if len(delays) == 2 && delays[1] < delays[0] {
		t.Errorf("delays %v do not grow", delays)
	}
	if req, ok := rcv.counts("k"); req != 3 || ok != 1 {
		t.Errorf("receiver: %d requests, %d delivered; want 3, 1", req, ok)
	}
}

func TestAlwaysFailingReceiverMakesItDeadAndListed(t *testing.T) {
	t.Parallel()
	pool := setup(t)
	ctx := context.Background()
	var mu sync.Mutex
	healthy := false
	rcv := newReceiver(t, map[string]string{"/xd": "s"}, func(string, int) int {
		mu.Lock()
		defer mu.Unlock()
		if healthy {
			return http.StatusOK
		}
		return http.StatusInternalServerError
	})
	d := newDeliverer(t, pool, notify.Config{MaxAttempts: 3})
	enqueue(t, pool, webhook("k", rcv.url("/xd"), "s"), t0)
	now := t0
	for range 3 {
		deliver(t, d, now)
		now = now.Add(2 * time.Hour) // past any backoff
	}
	e := entry(t, pool, "k")
	if e.State != notify.Dead || e.Attempts != 3 || !strings.Contains(e.LastError, "HTTP 500") {
		t.Fatalf("after 3 failures: %+v", e)
	}
	if n := deliver(t, d, now.Add(24*time.Hour)); n != 0 {
		t.Errorf("a dead notification attempted: %d", n)
	}
	if req, _ := rcv.counts("k"); req != 3 {
		t.Errorf("receiver got %d requests, want 3", req)
	}

	box := notify.NewOutbox(pool)
	dead, err := box.List(ctx, "dead", 50, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(dead.Items) != 1 || dead.Items[0].ID != e.ID {
		t.Fatalf("dead list %+v", dead.Items)
	}

	// An admin sends it again once the receiver is fixed.
	mu.Lock()
	healthy = true
	mu.Unlock()
	if _, err := box.Retry(ctx, e.ID, now); err != nil {
		t.Fatal(err)
	}
	if _, err := box.Retry(ctx, e.ID, now); !errors.Is(err, notify.ErrNotDead) {
		t.Errorf("retry of a pending one: %v", err)
	}
	if _, err := box.Retry(ctx, uuid.New(), now); !errors.Is(err, notify.ErrNotFound) {
		t.Errorf("retry of an unknown one: %v", err)
	}
	if n := deliver(t, d, now); n != 1 {
		t.Fatalf("after retry: attempted %d", n)
	}
	if e := entry(t, pool, "k"); e.State != notify.Delivered || e.Attempts != 1 {
		t.Errorf("after retry: %+v", e)
	}
}

func TestMaxAttemptsOneIsDeadAfterTheFirstFailure(t *testing.T) {
	t.Parallel()
	pool := setup(t)
	rcv := newReceiver(t, map[string]string{"/xd": ""}, func(string, int) int { return http.StatusFound })
	d := newDeliverer(t, pool, notify.Config{MaxAttempts: 1})
	enqueue(t, pool, webhook("k", rcv.url("/xd"), ""), t0)
	deliver(t, d, t0)
	if e := entry(t, pool, "k"); e.State != notify.Dead || !strings.Contains(e.LastError, "redirects are not followed") {
		t.Errorf("%+v", e)
	}
}

func TestTwoDeliverersDeliverEachNotificationOnce(t *testing.T) {
	t.Parallel()
	pool := setup(t)
	rcv := newReceiver(t, map[string]string{"/xd": "s"}, nil)
	const total = 60
	for i := range total {
		enqueue(t, pool, webhook(fmt.Sprintf("k%02d", i), rcv.url("/xd"), "s"), t0)
	}
	ds := []*notify.Deliverer{
		newDeliverer(t, pool, notify.Config{Batch: 7, Workers: 3}),
		newDeliverer(t, pool, notify.Config{Batch: 5, Workers: 2}),
	}
	var wg sync.WaitGroup
	attempted := make([]int, len(ds))
	for i, d := range ds {
		wg.Go(func() {
			for {
				n, err := d.DeliverDue(context.Background(), t0)
				if err != nil {
					t.Errorf("deliverer %d: %v", i, err)
					return
				}
				if n == 0 {
					return
				}
				attempted[i] += n
			}
		})
	}
	wg.Wait()
	if attempted[0]+attempted[1] != total {
		t.Errorf("attempts %v, want %d in all", attempted, total)
	}
	for i := range total {
		key := fmt.Sprintf("k%02d", i)
		if req, ok := rcv.counts(key); req != 1 || ok != 1 {
			t.Errorf("%s: %d requests, want 1", key, req)
		}
	}
	var left int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM notifications WHERE state <> 'delivered'`).Scan(&left); err != nil || left != 0 {
		t.Errorf("%d not delivered (%v)", left, err)
	}
}

func TestAnExpiredLeaseIsTriedAgain(t *testing.T) {
	t.Parallel()
	pool := setup(t)
	arrived := make(chan struct{})
	release := make(chan struct{})
	rcv := newReceiver(t, map[string]string{"/xd": "s"}, func(key string, n int) int {
		if n == 1 { // the first node hangs mid-send, e.g. its machine froze
			close(arrived)
			<-release
		}
		return http.StatusOK
	})
	stuck := newDeliverer(t, pool, notify.Config{Lease: time.Minute, Timeout: 50 * time.Second})
	other := newDeliverer(t, pool, notify.Config{Lease: time.Minute})
	enqueue(t, pool, webhook("k", rcv.url("/xd"), "s"), t0)

	done := make(chan error)
	go func() {
		_, err := stuck.DeliverDue(context.Background(), t0)
		done <- err
	}()
	<-arrived
	if n := deliver(t, other, t0.Add(59*time.Second)); n != 0 {
		t.Errorf("taken over within the lease: %d", n)
	}
	if n := deliver(t, other, t0.Add(time.Minute)); n != 1 {
		t.Fatalf("after the lease: attempted %d, want 1", n)
	}
	e := entry(t, pool, "k")
	if e.State != notify.Delivered || e.Attempts != 2 || !e.DeliveredAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("after the takeover: %+v", e)
	}
	close(release)
	if err := <-done; err != nil {
		t.Errorf("the stuck node: %v", err)
	}
	// The stuck node's late outcome does not overwrite the row.
	if e2 := entry(t, pool, "k"); e2.State != notify.Delivered || e2.Attempts != 2 || !e2.DeliveredAt.Equal(e.DeliveredAt) {
		t.Errorf("after the stuck node finished: %+v", e2)
	}
	// Sent twice, deliberately: what the idempotency key is for.
	if req, _ := rcv.counts("k"); req != 2 {
		t.Errorf("receiver got %d requests, want 2", req)
	}
}

func TestRunDeliversWhenWokenByEnqueue(t *testing.T) {
	t.Parallel()
	pool := setup(t)
	got := make(chan string, 10)
	rcv := newReceiver(t, map[string]string{"/xd": "s"}, func(key string, n int) int {
		got <- key
		return http.StatusOK
	})
	// A poll interval longer than the test: only the wake-up can deliver in time.
	d := newDeliverer(t, pool, notify.Config{PollInterval: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- d.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	}()
	for i := range 3 {
		key := fmt.Sprintf("k%d", i)
		enqueue(t, pool, webhook(key, rcv.url("/xd"), "s"), time.Now())
		select {
		case k := <-got:
			if k != key {
				t.Errorf("delivered %s, want %s", k, key)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("%s not delivered within 30 s of its enqueue", key)
		}
	}
}
