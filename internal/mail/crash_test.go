package mail_test

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/mail"
	"github.com/eccs/eccs/internal/testkit/mailtest"
)

// childEnv names the database of the child process TestKilledSenderLosesNoMail starts.
const childEnv = "ECCS_MAIL_TEST_CHILD_DB"

// TestKilledSenderLosesNoMail queues mails in a child process that claims them and is killed
// (SIGKILL) while its first SMTP attempt hangs; a new process then delivers each mail once.
func TestKilledSenderLosesNoMail(t *testing.T) {
	if path := os.Getenv(childEnv); path != "" {
		runChild(t, path)
		return
	}
	path := filepath.Join(t.TempDir(), "eccs.db")
	s := openSQLite(t, path)
	pit := mailtest.Start(t)
	const events = 5
	for i := range events {
		addEvent(t, s, fmt.Sprintf("ev-%d", i), "person.invited", invited(fmt.Sprintf("p%d@example.com", i), "fr", fmt.Sprintf("lk-%d", i)))
	}
	child := exec.Command(os.Args[0], "-test.run=^TestKilledSenderLosesNoMail$", "-test.count=1")
	child.Env = append(os.Environ(), childEnv+"="+path)
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	child.Stderr = os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { child.Process.Kill(); child.Wait() })
	if !waitLine(bufio.NewScanner(out), "CLAIMED", 30*time.Second) {
		t.Fatal("the child did not claim the mails")
	}
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	child.Wait()

	// The restarted sender, once the dead one's leases (2 minutes) expired.
	tr, from := smtpTransport(t, pit.SMTPURL("noreply@acme.example"))
	later := func() time.Time { return time.Now().Add(3 * time.Minute) }
	q := newQueue(t, s, mail.Options{Transport: tr, From: from, Now: later})
	for pass, want := range []int{events, 0} {
		if n, err := q.SendDue(t.Context()); err != nil || n != want {
			t.Fatalf("pass %d after the crash: SendDue = %d, %v; want %d", pass+1, n, err, want)
		}
	}
	seen := map[string]bool{}
	for _, m := range pit.WaitMessages(t, events, 10*time.Second) {
		if seen[m.MessageID] {
			t.Errorf("mail %s delivered twice", m.MessageID)
		}
		seen[m.MessageID] = true
	}
	mails, err := s.RecentMails(t.Context(), 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mails {
		if m.State != eccs.MailSent || m.Attempts != 1 {
			t.Errorf("mail %s: %s after %d attempts, want sent after 1 (the killed attempt left no trace)", m.ID, m.State, m.Attempts)
		}
	}
	if len(seen) != events || len(mails) != events {
		t.Errorf("delivered %d, stored %d mails; want %d", len(seen), len(mails), events)
	}
}

// runChild queues the events' mails, starts sending them to a server that never answers,
// says CLAIMED once the first attempt is connected, and waits to be killed.
func runChild(t *testing.T, path string) {
	s := openSQLite(t, path)
	hole, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tr, from := smtpTransport(t, fmt.Sprintf("smtp://%s?starttls=none&from=noreply@acme.example", hole.Addr()))
	q := newQueue(t, s, mail.Options{Transport: tr, From: from})
	if _, err := q.QueueEvents(t.Context()); err != nil {
		t.Fatal(err)
	}
	go q.SendDue(t.Context())
	conn, err := hole.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Println("CLAIMED")
	select {}
}

// waitLine reads lines until one is want (true) or timeout passes or the output ends (false).
func waitLine(sc *bufio.Scanner, want string, timeout time.Duration) bool {
	found := make(chan bool, 1)
	go func() {
		for sc.Scan() {
			if strings.TrimSpace(sc.Text()) == want {
				found <- true
				return
			}
		}
		found <- false
	}()
	select {
	case ok := <-found:
		return ok
	case <-time.After(timeout):
		return false
	}
}
