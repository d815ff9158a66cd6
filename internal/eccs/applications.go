package eccs

import (
	"context"
	"fmt"
	"time"
)

// ApplicationService holds the rules of applications (OAuth clients): status, subscription,
// terms, client secrets.
type ApplicationService struct {
	*base
	claims *ClaimService
}

// ApplicationStore keeps applications.
type ApplicationStore interface {
	CreateApplication(ctx context.Context, a Application) error
	// UpdateApplication replaces every field of application a.ID but its id, client id and
	// creation time.
	UpdateApplication(ctx context.Context, a Application) error
	Application(ctx context.Context, id string) (Application, error)
	ApplicationByClientID(ctx context.Context, clientID string) (Application, error)
	// Applications returns one page of the applications sorted by id, and how many there are.
	Applications(ctx context.Context, p Page) ([]Application, int, error)
}

// NewApplication describes a developer application. ClientID and Secret, when set, are used
// instead of random ones (the dev mode's fixed demo credentials).
type NewApplication struct {
	Name          string
	ClientID      string
	Secret        string
	Subscription  SubscriptionState
	TermsAccepted bool
	// ClaimTTL, when set, keeps the secret out of the answer: a one-time claim link that
	// reveals it, valid that long, is returned instead.
	ClaimTTL time.Duration
}

// CreateApplication registers an application and returns it with its client secret in clear,
// which is shown once and never stored. Errors: Invalid, Conflict for a taken client id.
func (s *ApplicationService) CreateApplication(ctx context.Context, na NewApplication) (Application, string, error) {
	app, secret, _, err := s.createApplication(ctx, na)
	return app, secret, err
}

// CreateApplicationClaim registers an application and returns it with a one-time claim link
// token for its client secret instead of the secret (see CreateClaim).
func (s *ApplicationService) CreateApplicationClaim(ctx context.Context, na NewApplication, ttl time.Duration) (Application, ClaimToken, error) {
	if ttl <= 0 {
		ttl = DefaultClaimTTL
	}
	na.ClaimTTL = ttl
	app, _, claim, err := s.createApplication(ctx, na)
	return app, claim, err
}

func (s *ApplicationService) createApplication(ctx context.Context, na NewApplication) (Application, string, ClaimToken, error) {
	if !ValidText(na.Name, 100) {
		return Application{}, "", ClaimToken{}, invalidField("name", "An application name is 1 to 100 characters.")
	}
	switch na.Subscription {
	case "":
		na.Subscription = SubscriptionPending
	case SubscriptionNone, SubscriptionPending, SubscriptionApproved, SubscriptionRejected, SubscriptionSuspended:
	default:
		return Application{}, "", ClaimToken{}, invalidField("subscription", "Subscription %q is not a subscription state.", na.Subscription)
	}
	var err error
	if na.ClientID == "" {
		if na.ClientID, err = randomString(s.random, 32, alphanumeric); err != nil {
			return Application{}, "", ClaimToken{}, err
		}
	} else if !isToken(na.ClientID, 128) {
		return Application{}, "", ClaimToken{}, invalidField("clientId", "A client id is 1 to 128 letters, digits, '-' or '_'.")
	}
	if na.Secret == "" {
		if na.Secret, err = randomString(s.random, 40, alphanumeric); err != nil {
			return Application{}, "", ClaimToken{}, err
		}
	} else if len(na.Secret) < minPresetSecret || !isToken(na.Secret, 512) {
		return Application{}, "", ClaimToken{}, invalidField("secret", "A preset client secret is 32 to 512 letters, digits, '-' or '_'.")
	}
	id, err := s.newID()
	if err != nil {
		return Application{}, "", ClaimToken{}, err
	}
	now := s.now()
	app := Application{
		ID: id, ClientID: na.ClientID, Name: na.Name, SecretHash: hashSecret(s.keys.HashKey, na.Secret),
		Status: ApplicationActive, Subscription: na.Subscription, CreatedAt: now, UpdatedAt: now,
	}
	if na.TermsAccepted {
		app.TermsAcceptedAt, app.TermsAcceptedBy = now, "operator"
	}
	var claim ClaimToken
	err = s.inTx(ctx, func(tx Store) error {
		if err := tx.CreateApplication(ctx, app); err != nil {
			return err
		}
		if na.ClaimTTL > 0 {
			if claim, err = s.claims.createClaim(ctx, tx, ClaimClientSecret, app.ID, na.Secret, na.ClaimTTL); err != nil {
				return err
			}
		}
		return s.record(ctx, tx, "application.create", "application", app.ID, map[string]string{
			"name": app.Name, "clientId": app.ClientID, "subscription": string(app.Subscription), "claimLink": fmt.Sprint(na.ClaimTTL > 0),
		})
	})
	if err != nil {
		return Application{}, "", ClaimToken{}, fmt.Errorf("create application: %w", err)
	}
	if na.ClaimTTL > 0 {
		na.Secret = ""
	}
	return app, na.Secret, claim, nil
}

// Application returns an application; NotFound if there is none.
func (s *ApplicationService) Application(ctx context.Context, id string) (Application, error) {
	return s.store.Application(ctx, id)
}

// Applications returns one page of the applications and how many there are.
func (s *ApplicationService) Applications(ctx context.Context, p Page) ([]Application, int, error) {
	return s.store.Applications(ctx, p)
}

// updateApplication applies edit to application appID and records action, in one
// transaction, and returns the application as stored.
func (s *ApplicationService) updateApplication(ctx context.Context, appID, action string, edit func(tx Store, app *Application) (map[string]string, error)) (Application, error) {
	var app Application
	err := s.change(ctx, action, "application", func(tx Store) (string, map[string]string, error) {
		var err error
		if app, err = tx.Application(ctx, appID); err != nil {
			return "", nil, err
		}
		if app.Status == ApplicationDeleted {
			return "", nil, Errorf(Conflict, "Application %s was deleted and takes no change.", appID)
		}
		details, err := edit(tx, &app)
		if err != nil {
			return "", nil, err
		}
		app.UpdatedAt = s.now()
		return appID, details, tx.UpdateApplication(ctx, app)
	})
	if err != nil {
		return Application{}, fmt.Errorf("%s: %w", action, err)
	}
	return app, nil
}

// SetApplicationStatus changes an application's status and returns it. A suspended or deleted
// application gets no token and its tokens are refused; a blocked one is refused on resource
// calls; deleting is final. Errors: Invalid for an unknown status, NotFound for an unknown
// application, Conflict for a deleted one.
func (s *ApplicationService) SetApplicationStatus(ctx context.Context, appID string, status ApplicationStatus) (Application, error) {
	switch status {
	case ApplicationActive, ApplicationSuspended, ApplicationBlocked, ApplicationDeleted:
	default:
		return Application{}, invalidField("status", "Status %q is not an application status (active, suspended, blocked, deleted).", status)
	}
	return s.updateApplication(ctx, appID, "application.status", func(_ Store, app *Application) (map[string]string, error) {
		details := map[string]string{"from": string(app.Status), "to": string(status)}
		app.Status = status
		return details, nil
	})
}

// SetSubscription moves an application's subscription to the Customer Space API: pending,
// approved, rejected or suspended. Only an approved subscription with accepted terms gives
// access. Errors: Invalid, NotFound, Conflict for a deleted application.
func (s *ApplicationService) SetSubscription(ctx context.Context, appID string, state SubscriptionState) (Application, error) {
	switch state {
	case SubscriptionPending, SubscriptionApproved, SubscriptionRejected, SubscriptionSuspended:
	default:
		return Application{}, invalidField("subscription", "Subscription %q is not a state (pending, approved, rejected, suspended).", state)
	}
	return s.updateApplication(ctx, appID, "application.subscription", func(_ Store, app *Application) (map[string]string, error) {
		details := map[string]string{"from": string(app.Subscription), "to": string(state)}
		app.Subscription = state
		return details, nil
	})
}

// AcceptTerms records that the application's developer accepted the API's terms of use; by
// says who (an e-mail, a name). Errors: Invalid, NotFound, Conflict for a deleted application.
func (s *ApplicationService) AcceptTerms(ctx context.Context, appID, by string) (Application, error) {
	if !ValidText(by, 200) {
		return Application{}, invalidField("acceptedBy", "acceptedBy must say who accepted the terms (1 to 200 characters), for example their e-mail.")
	}
	return s.updateApplication(ctx, appID, "application.terms", func(_ Store, app *Application) (map[string]string, error) {
		app.TermsAcceptedAt, app.TermsAcceptedBy = s.now(), by
		return map[string]string{"acceptedBy": by}, nil
	})
}

// OverlapRunning reports whether app's previous secret still works: a rotation's overlap
// runs, and a new rotation would end it at once (one previous secret is kept).
func (s *ApplicationService) OverlapRunning(app Application) bool {
	return s.now().Before(app.PreviousSecretExpiresAt)
}

// RotateClientSecret gives an application a new client secret and returns it in clear (shown
// once). The previous secret, and the access tokens issued with it, keep working for overlap
// (0: not at all), so that running clients can move to the new one; then they are refused. With claimTTL > 0 the secret is not returned: a one-time
// claim link token for it is. Errors: NotFound, Conflict for a deleted application, Invalid
// for a negative overlap.
func (s *ApplicationService) RotateClientSecret(ctx context.Context, appID string, overlap, claimTTL time.Duration) (Application, string, ClaimToken, error) {
	if overlap < 0 {
		return Application{}, "", ClaimToken{}, invalidField("overlap", "The overlap is a duration of 0 or more, such as 24h.")
	}
	secret, err := randomString(s.random, 40, alphanumeric)
	if err != nil {
		return Application{}, "", ClaimToken{}, err
	}
	var claim ClaimToken
	app, err := s.updateApplication(ctx, appID, "application.rotate_secret", func(tx Store, app *Application) (map[string]string, error) {
		app.PreviousSecretHash, app.PreviousSecretExpiresAt = app.SecretHash, s.now().Add(overlap)
		app.SecretHash, app.SecretVersion = hashSecret(s.keys.HashKey, secret), app.SecretVersion+1
		if claimTTL > 0 {
			var err error
			if claim, err = s.claims.createClaim(ctx, tx, ClaimClientSecret, appID, secret, claimTTL); err != nil {
				return nil, err
			}
		}
		return map[string]string{"overlap": overlap.String(), "previousValidUntil": app.PreviousSecretExpiresAt.Format(time.RFC3339), "claimLink": fmt.Sprint(claimTTL > 0)}, nil
	})
	if err != nil {
		return Application{}, "", ClaimToken{}, err
	}
	if claimTTL > 0 {
		secret = ""
	}
	return app, secret, claim, nil
}
