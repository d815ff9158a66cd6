package httpapi

import (
	"fmt"
	"net/http"
	"time"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/eccs"
)

// handleApplicationCreate is POST /admin/v1/applications: a developer application with a new
// client id and secret, the secret shown once, or a claim link that reveals it once.
func (s *server) handleApplicationCreate(w http.ResponseWriter, r *http.Request) error {
	var in admin.NewApplication
	if err := decodeJSON(w, r, s.admin.MaxBodyBytes, &in); err != nil {
		return err
	}
	ttl, err := claimTTL(in.ClaimLink, in.ClaimTTL)
	if err != nil {
		return err
	}
	na := eccs.NewApplication{Name: in.Name, Subscription: eccs.SubscriptionState(in.Subscription)}
	out := admin.IssuedApplication{}
	if ttl > 0 {
		app, tok, err := s.svc.CreateApplicationClaim(r.Context(), na, ttl)
		if err != nil {
			return err
		}
		out.Application, out.Claim = applicationJSON(app), s.claim(r, tok)
	} else {
		app, secret, err := s.svc.CreateApplication(r.Context(), na)
		if err != nil {
			return err
		}
		out.Application, out.ClientSecret = applicationJSON(app), secret
	}
	writeSecret(w, http.StatusCreated, out)
	return nil
}

// handleApplicationsList is GET /admin/v1/applications.
func (s *server) handleApplicationsList(w http.ResponseWriter, r *http.Request) error {
	_, page, err := adminPage(r)
	if err != nil {
		return err
	}
	list, total, err := s.svc.Applications(r.Context(), page)
	if err != nil {
		return err
	}
	writeList(w, listOf(list, applicationJSON), total)
	return nil
}

// handleApplicationShow is GET /admin/v1/applications/{id}.
func (s *server) handleApplicationShow(w http.ResponseWriter, r *http.Request) error {
	return serveRecord(w, r, recordID, s.svc.Application, applicationJSON)
}

// handleApplicationStatus is PUT /admin/v1/applications/{id}/status: active, suspended (no
// token, and its tokens refused) or blocked (refused on resource calls).
func (s *server) handleApplicationStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in admin.StatusChange
	if err := decodeJSON(w, r, s.admin.MaxBodyBytes, &in); err != nil {
		return err
	}
	if in.Status == admin.StatusDeleted {
		return fail(http.StatusBadRequest, api.CodeInvalidBodyField,
			"The body field status takes active, suspended or blocked; delete an application with DELETE %s/applications/%s.", admin.BasePath, id)
	}
	app, err := s.svc.SetApplicationStatus(r.Context(), id, eccs.ApplicationStatus(in.Status))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, applicationJSON(app))
	return nil
}

// handleApplicationDelete is DELETE /admin/v1/applications/{id}: final; the application gets
// no token and its tokens are refused. It answers the application, with status deleted.
func (s *server) handleApplicationDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	app, err := s.svc.SetApplicationStatus(r.Context(), id, eccs.ApplicationDeleted)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, applicationJSON(app))
	return nil
}

// handleApplicationSubscription is PUT /admin/v1/applications/{id}/subscription.
func (s *server) handleApplicationSubscription(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in admin.SubscriptionChange
	if err := decodeJSON(w, r, s.admin.MaxBodyBytes, &in); err != nil {
		return err
	}
	app, err := s.svc.SetSubscription(r.Context(), id, eccs.SubscriptionState(in.Subscription))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, applicationJSON(app))
	return nil
}

// handleApplicationTerms is POST /admin/v1/applications/{id}/terms: records who accepted the
// API's terms of use.
func (s *server) handleApplicationTerms(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in admin.TermsAcceptance
	if err := decodeJSON(w, r, s.admin.MaxBodyBytes, &in); err != nil {
		return err
	}
	app, err := s.svc.AcceptTerms(r.Context(), id, in.AcceptedBy)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, applicationJSON(app))
	return nil
}

// handleApplicationRotateSecret is POST /admin/v1/applications/{id}/rotate-secret: a new
// client secret, shown once or through a claim link; the previous one keeps working for the
// overlap.
func (s *server) handleApplicationRotateSecret(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in admin.SecretRotation
	if err := decodeOptionalJSON(w, r, s.admin.MaxBodyBytes, &in); err != nil {
		return err
	}
	overlap, err := bodyDuration("overlap", in.Overlap)
	if err != nil {
		return err
	}
	ttl, err := claimTTL(in.ClaimLink, in.ClaimTTL)
	if err != nil {
		return err
	}
	before, err := s.svc.Application(r.Context(), id)
	if err != nil {
		return err
	}
	app, secret, tok, err := s.svc.RotateClientSecret(r.Context(), id, overlap, ttl)
	if err != nil {
		return err
	}
	out := admin.IssuedApplication{Application: applicationJSON(app), ClientSecret: secret}
	if ttl > 0 {
		out.Claim = s.claim(r, tok)
	}
	// One previous secret is kept: a rotation during another's overlap ends the secret that
	// overlap was keeping, which its clients may still use.
	if until := before.PreviousSecretExpiresAt; s.svc.OverlapRunning(before) {
		out.Notices = append(out.Notices, fmt.Sprintf(
			"The secret that the previous rotation kept working until %s stopped working now, with the access tokens issued with it: a rotation keeps one previous secret (the one it replaces). Its clients must move to the new secret.",
			wireTime(until).Format(time.RFC3339)))
	}
	writeSecret(w, http.StatusOK, out)
	return nil
}
