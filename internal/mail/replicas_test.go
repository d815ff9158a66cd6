package mail_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/mail"
	"github.com/eccs/eccs/internal/testkit/mailtest"
)

func TestReplicasQueueAndSendEachMailOnce(t *testing.T) {
	stores := openPostgres(t, 3)
	pit := mailtest.Start(t)
	const events = 12
	for i := range events {
		addEvent(t, stores[0], fmt.Sprintf("ev-%02d", i), "person.invited",
			invited(fmt.Sprintf("p%02d@example.com", i), []string{"fr", "en"}[i%2], fmt.Sprintf("lk-%02d", i)))
	}
	var queues []*mail.Queue
	for i, s := range stores {
		tr, from := smtpTransport(t, pit.SMTPURL("noreply@acme.example"))
		queues = append(queues, newQueue(t, s, mail.Options{Transport: tr, From: from, Owner: fmt.Sprintf("replica-%d", i), Batch: 5}))
	}
	// Every replica queues and sends at once, a few passes each, until nothing is left.
	var mu sync.Mutex
	queued, sent := 0, 0
	for range 4 {
		var wg sync.WaitGroup
		for _, q := range queues {
			wg.Go(func() {
				nq, err := q.QueueEvents(t.Context())
				if err != nil {
					t.Error(err)
				}
				ns, err := q.SendDue(t.Context())
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				queued, sent = queued+nq, sent+ns
				mu.Unlock()
			})
		}
		wg.Wait()
	}
	if queued != events || sent != events {
		t.Fatalf("replicas queued %d and sent %d mails, want %d each", queued, sent, events)
	}
	msgs := pit.WaitMessages(t, events, 10*time.Second)
	seen := map[string]bool{}
	for _, m := range msgs {
		if seen[m.MessageID] {
			t.Errorf("mail %s delivered twice", m.MessageID)
		}
		seen[m.MessageID] = true
	}
	if len(msgs) != events {
		t.Errorf("mailpit received %d mails, want %d", len(msgs), events)
	}
}
