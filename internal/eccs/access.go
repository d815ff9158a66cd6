package eccs

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// AccessService holds the rules of access to the API: tokens, API keys, and what a caller may
// see of a contract.
type AccessService struct {
	*base
}

// The descriptions of the credential errors that clients see most. They follow the gateway's
// wording, extended with what to do.
const (
	msgInvalidToken = "The requested service needs credentials, but the ones provided were invalid: the access token in the Authorization header is not one this server issued."
	msgInvalidKey   = "The X-API-Key header names no valid API key: it is unknown or revoked. Check the key, or ask your operator for a new one."
)

// IssueToken checks an application's client credentials and returns a new access token. It
// returns an Unauthenticated error when the client is unknown, the secret is wrong, or the
// application is suspended (with ReasonSuspended, once the secret is right) or deleted; blocked
// or unsubscribed applications get a token and are refused on resource calls, where the reason
// can be told.
func (s *AccessService) IssueToken(ctx context.Context, clientID, secret string) (Token, Application, error) {
	invalid := &Error{Code: Unauthenticated, Message: "The requested service needs credentials, but the ones provided were invalid."}
	if !isToken(clientID, 128) || len(secret) > 512 {
		return Token{}, Application{}, invalid
	}
	app, err := s.cachedClient(ctx, clientID)
	if IsNotFound(err) {
		return Token{}, Application{}, invalid
	}
	if err != nil {
		return Token{}, Application{}, fmt.Errorf("issue token: %w", err)
	}
	now := s.now()
	version := app.SecretVersion
	ok := secretMatches(s.keys.HashKey, secret, app.SecretHash)
	if !ok && now.Before(app.PreviousSecretExpiresAt) && secretMatches(s.keys.HashKey, secret, app.PreviousSecretHash) {
		ok, version = true, app.SecretVersion-1
	}
	if !ok || app.Status == ApplicationDeleted {
		return Token{}, Application{}, invalid
	}
	if app.Status == ApplicationSuspended {
		// Only a caller holding the secret learns why.
		return Token{}, Application{}, &Error{Code: Unauthenticated, Reason: ReasonSuspended, Message: fmt.Sprintf(
			"The requested service needs credentials, but the ones provided were invalid: the application %q is suspended; its operator can reactivate it.", app.Name)}
	}
	jti, err := randomString(s.random, 22, alphanumeric)
	if err != nil {
		return Token{}, Application{}, err
	}
	value, err := s.tokens.sign(tokenClaims{
		AppID:         app.ID,
		AppName:       app.Name,
		ClientID:      app.ClientID,
		Subject:       app.ClientID,
		Issuer:        s.cfg.Issuer,
		IssuedAt:      now.Unix(),
		Expires:       now.Add(s.cfg.TokenTTL).Unix(),
		ID:            jti,
		SecretVersion: version,
	})
	if err != nil {
		return Token{}, Application{}, err
	}
	return Token{Value: value, ExpiresIn: s.cfg.TokenTTL}, app, nil
}

// ApplicationForToken checks a bearer token and the application behind it (steps 1 and 2 of
// the checks on every resource call). Errors:
//   - Unauthenticated: the token is forged, malformed or unknown; with ReasonExpired when it
//     is past its expiry; also when the application is suspended or deleted.
//   - Forbidden with ReasonBlocked: the operator blocked the application.
//   - Forbidden: the application's subscription to the API is not approved, or its terms are
//     not accepted.
func (s *AccessService) ApplicationForToken(ctx context.Context, token string) (Application, error) {
	claims, ok := s.tokens.verify(token)
	if !ok {
		return Application{}, &Error{Code: Unauthenticated, Message: msgInvalidToken}
	}
	if expires := time.Unix(claims.Expires, 0); !s.now().Before(expires) {
		return Application{}, &Error{Code: Unauthenticated, Reason: ReasonExpired, Message: fmt.Sprintf(
			"The requested service needs credentials, and the ones provided were out-of-date: the access token expired at %s. Request a new one from /oauth/v3/token.",
			expires.UTC().Format(time.RFC3339))}
	}
	app, err := s.cachedApplication(ctx, claims.AppID)
	if IsNotFound(err) {
		return Application{}, &Error{Code: Unauthenticated, Message: "The application this access token was issued to no longer exists."}
	}
	if err != nil {
		return Application{}, fmt.Errorf("check token: %w", err)
	}
	if !s.secretStillValid(app, claims.SecretVersion) {
		return Application{}, &Error{Code: Unauthenticated, Message: "The access token was issued with a client secret that has since been rotated; request a new token with the new client secret."}
	}
	return app, s.applicationAllowed(app)
}

// secretStillValid reports whether a token issued with the given version of app's client
// secret may still be used: the current secret's always, the previous one's during the
// rotation's overlap, never an older one's.
func (s *AccessService) secretStillValid(app Application, version int64) bool {
	switch version {
	case app.SecretVersion:
		return true
	case app.SecretVersion - 1:
		return s.now().Before(app.PreviousSecretExpiresAt)
	}
	return false
}

// applicationAllowed applies the application checks of step 2 in their order.
func (s *AccessService) applicationAllowed(app Application) error {
	switch app.Status {
	case ApplicationActive:
	case ApplicationSuspended:
		return &Error{Code: Unauthenticated, Message: fmt.Sprintf("The application %q is suspended: its access tokens are refused until the operator reactivates it.", app.Name)}
	case ApplicationBlocked:
		return &Error{Code: Forbidden, Reason: ReasonBlocked, Message: fmt.Sprintf("The application %q has been blocked by the operator; contact the API support.", app.Name)}
	default:
		return &Error{Code: Unauthenticated, Message: "The application this access token was issued to no longer exists."}
	}
	if app.Subscription != SubscriptionApproved {
		return &Error{Code: Forbidden, Message: fmt.Sprintf("The application %q is not subscribed to the Cloud Store Customer Space API (subscription %s); it needs an approved subscription.", app.Name, app.Subscription)}
	}
	if app.TermsAcceptedAt.IsZero() {
		return &Error{Code: Forbidden, Message: fmt.Sprintf("The application %q has not accepted the terms of use of the Cloud Store Customer Space API.", app.Name)}
	}
	return nil
}

// AccountForKey returns the account named by an API key and the key itself (step 4). It
// returns Unauthenticated when the key is unknown, revoked or past its expiry (the description
// then gives the expiry date).
func (s *AccessService) AccountForKey(ctx context.Context, key string) (Account, APIKey, error) {
	if len(key) == 0 || len(key) > 4096 {
		return Account{}, APIKey{}, &Error{Code: Unauthenticated, Message: msgInvalidKey}
	}
	k, acct, err := s.cachedKey(ctx, hashSecret(s.keys.HashKey, key))
	if IsNotFound(err) {
		return Account{}, APIKey{}, &Error{Code: Unauthenticated, Message: msgInvalidKey}
	}
	if err != nil {
		return Account{}, APIKey{}, fmt.Errorf("check API key: %w", err)
	}
	now := s.now()
	if !k.RevokedAt.IsZero() && !now.Before(k.RevokedAt) {
		return Account{}, APIKey{}, &Error{Code: Unauthenticated, Message: msgInvalidKey}
	}
	if !now.Before(k.ExpiresAt) && k.ReplacedBy != "" {
		return Account{}, APIKey{}, &Error{Code: Unauthenticated, Message: fmt.Sprintf(
			"The X-API-Key was replaced by a new key, and stopped working on %s; use the new key.",
			k.ExpiresAt.UTC().Format(time.RFC3339))}
	}
	if !now.Before(k.ExpiresAt) {
		return Account{}, APIKey{}, &Error{Code: Unauthenticated, Message: fmt.Sprintf(
			"The X-API-Key expired on %s (API keys are valid for a limited time); ask your operator for a new key.",
			k.ExpiresAt.UTC().Format(time.RFC3339))}
	}
	return acct, k, nil
}

// Access is an account's checked access to one contract: ContractAccess returns it once the
// contract is known to be visible, and the calls that act on a contract take it, so none can
// be reached without that check. Only this package makes one.
type Access struct {
	contract Contract
	roles    Roles
}

// Contract is the contract the access is to.
func (a Access) Contract() Contract { return a.contract }

// Roles are the account's roles on the contract.
func (a Access) Roles() Roles { return a.roles }

// ContractAccess checks that acct may see a contract (step 5 of the checks) and returns its
// access to it. An unknown contract and one outside what the account may see give the same
// Forbidden error, and cost the same: both read the contract (absent ones are cached like
// present ones) and, for a client account, its declaration on it, whatever the first read
// found. So neither the answer nor its timing tells which contracts exist.
func (s *AccessService) ContractAccess(ctx context.Context, acct Account, contractID string) (Access, error) {
	hidden := &Error{Code: Forbidden, Message: fmt.Sprintf("Contract %s does not exist or is not visible to this API key (contract numbers are compared exactly, case included).", contractID)}
	c, err := s.cachedContract(ctx, contractID)
	if err != nil && !IsNotFound(err) {
		return Access{}, fmt.Errorf("find contract: %w", err)
	}
	found := err == nil
	switch acct.Type {
	case AccountAdministrator:
		if found && acct.Perimeter.Covers(c.BillingAccountID, c.OfferID) {
			return Access{contract: c, roles: ManagerEverywhere}, nil
		}
	case AccountClient:
		d, err := s.cachedDeclaration(ctx, contractID, acct.IdentityID)
		if err != nil && !IsNotFound(err) {
			return Access{}, fmt.Errorf("find declaration: %w", err)
		}
		if found && err == nil && d.Roles.Contracts != RoleNone {
			return Access{contract: c, roles: d.Roles}, nil
		}
	}
	return Access{}, hidden
}

// contractFilter returns the filter of the contracts acct may see.
func contractFilter(acct Account, page Page) (ContractFilter, error) {
	switch acct.Type {
	case AccountAdministrator:
		return ContractFilter{PerimeterOf: acct.ID, Page: page}, nil
	case AccountClient:
		return ContractFilter{DeclaredIdentityID: acct.IdentityID, Page: page}, nil
	}
	return ContractFilter{}, errors.New("account of unknown type " + string(acct.Type))
}
