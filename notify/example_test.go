package notify_test

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"hotline/notify"
)

// A receiver checks X-Hotline-Signature against the raw body before it trusts a webhook.
func ExampleVerify() {
	secret := []byte("bí-mật-của-sở")
	body := []byte(`{"event":"ticket.reminder","idempotency_key":"k1"}`)
	header := notify.Sign(secret, body) // what the hotline sends
	fmt.Println(notify.Verify(secret, body, header))
	fmt.Println(notify.Verify(secret, []byte(`{"event":"forged"}`), header))
	// Output:
	// true
	// false
}

// Notifications are queued in the transaction of the change that causes them, and delivered by the
// Deliverer that cmd runs on every node.
func ExampleEnqueue() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, "postgres:///hotline")
	if err != nil {
		panic(err)
	}
	now := time.Now()
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		// … the ticket change …
		_, err := notify.Enqueue(ctx, tx, notify.Notification{
			Key: "ticket.reminder:0195a1b2:due_soon:email:xd", Channel: notify.Email, Target: "xd@so.gov.vn",
			Subject: "Phản ánh PA-2026-000123 sắp đến hạn", Body: []byte("Kính gửi Sở Xây dựng, …"),
			Event: "ticket.reminder", Stage: "due_soon", Department: "xd",
		}, now)
		return err
	})
	if err != nil {
		panic(err)
	}

	d, err := notify.NewDeliverer(pool, notify.Config{SMTPURL: "smtp://relay.so.gov.vn", MailFrom: "hotline@so.gov.vn"})
	if err != nil {
		panic(err)
	}
	go d.Run(ctx) // until ctx ends
}
