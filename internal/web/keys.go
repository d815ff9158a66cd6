package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// overlapChoices are the overlaps a person may give a rotation: how long the old key keeps
// working beside the new one.
var overlapChoices = []time.Duration{0, time.Hour, 24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour}

// keyList is the data of the keys page.
type keyList struct {
	Keys     []eccs.APIKey
	Now      time.Time
	Overlaps []time.Duration
	Issued   *issuedKey // a key just issued, shown this once
}

// issuedKey is a key in clear, shown on the answer to the POST that made it and never again.
type issuedKey struct {
	Key    eccs.APIKey
	Secret string
}

// OverlapLabel names an overlap choice's catalogue key.
func (keyList) OverlapLabel(d time.Duration) string {
	switch d {
	case 0:
		return "keys.overlap_none"
	case time.Hour:
		return "keys.overlap_hour"
	case 24 * time.Hour:
		return "keys.overlap_day"
	case 7 * 24 * time.Hour:
		return "keys.overlap_week"
	}
	return "keys.overlap_month"
}

// Seconds is d in seconds, the overlap field's value.
func (keyList) Seconds(d time.Duration) int64 { return int64(d / time.Second) }

// handleKeys is GET /keys: the account's API keys.
func (s *server) handleKeys(q *request) error {
	return s.renderKeys(q, http.StatusOK, nil)
}

func (s *server) renderKeys(q *request, status int, issued *issuedKey) error {
	keys, err := s.svc.OwnAPIKeys(q.ctx, q.session.Account)
	if err != nil {
		return err
	}
	if issued != nil {
		q.w.Header().Set("Cache-Control", "no-store")
	}
	s.render(q, status, "keys", view{Title: "keys.title", Nav: "keys",
		Data: keyList{Keys: keys, Now: s.cfg.Now(), Overlaps: overlapChoices, Issued: issued}})
	return nil
}

// handleKeyIssue is POST /keys: issue a key for the account, shown once on the answer.
func (s *server) handleKeyIssue(q *request) error {
	k, secret, err := s.svc.IssueOwnAPIKey(q.ctx, q.session.Account)
	if err != nil {
		return err
	}
	return s.renderKeys(q, http.StatusCreated, &issuedKey{Key: k, Secret: secret})
}

// handleKeyRotate is POST /keys/{id}/rotate: issue a new key and make this one stop after
// the chosen overlap.
func (s *server) handleKeyRotate(q *request) error {
	overlap, ok := overlapFromForm(q.r.PostForm)
	if !ok {
		return &pageError{status: http.StatusBadRequest, message: "keys.bad_overlap"}
	}
	k, secret, err := s.svc.RotateOwnAPIKey(q.ctx, q.session.Account, q.r.PathValue("id"), overlap)
	if err != nil {
		return err
	}
	return s.renderKeys(q, http.StatusCreated, &issuedKey{Key: k, Secret: secret})
}

// handleKeyRevoke is POST /keys/{id}/revoke: the key stops working at once.
func (s *server) handleKeyRevoke(q *request) error {
	if _, err := s.svc.RevokeOwnAPIKey(q.ctx, q.session.Account, q.r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(q.w, q.r, "/keys", http.StatusSeeOther)
	return nil
}

// overlapFromForm reads the overlap, one of overlapChoices, in seconds.
func overlapFromForm(f url.Values) (time.Duration, bool) {
	v := f.Get("overlap")
	for _, d := range overlapChoices {
		if v == strconv.FormatInt(int64(d/time.Second), 10) {
			return d, true
		}
	}
	return 0, false
}
