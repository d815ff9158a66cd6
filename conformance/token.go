package conformance

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/eccs/eccs/api"
)

// The exact error_description of a wrong client secret (doc/wire.md §1, recorded on the real
// gateway: doc/wire.md §7.1.5).
const descInvalidClient = "The requested service needs credentials, but the ones provided were invalid."

// tokenChecks checks the token endpoint with six requests, three of them authenticated (the
// real gateway allows 50 a minute). The first token obtained serves every later check.
func (r *runner) tokenChecks() {
	basic := basicAuth(r.cfg.ClientID, r.cfg.ClientSecret)
	grant := "grant_type=client_credentials"
	missing := r.missingCredentials()

	r.check("token: Basic client authentication → 200, a Bearer token with expires_in", "doc/wire.md §1, §7.1.3, §8 #1", func(v *verdict) {
		if missing != "" {
			v.cannot("%s", missing)
			r.noToken = missing
			return
		}
		ex := r.do(tokenRequest(grant, "Authorization", basic))
		if tok := v.wantToken(ex); tok != "" {
			r.token = tok
		} else {
			r.noToken = "the token endpoint gave no usable token with Basic authentication (see the first token check)"
		}
	})

	r.check("token: client_id and client_secret form fields → 200, a Bearer token", "doc/wire.md §1, §7.1.2", func(v *verdict) {
		if missing != "" {
			v.cannot("%s", missing)
			return
		}
		form := url.Values{"grant_type": {"client_credentials"}, "client_id": {r.cfg.ClientID}, "client_secret": {r.cfg.ClientSecret}}
		ex := r.do(tokenRequest(form.Encode()))
		if tok := v.wantToken(ex); tok != "" && r.token == "" {
			r.token, r.noToken = tok, ""
		}
	})

	r.check("token: no client credentials → 401 invalid_client with WWW-Authenticate", "doc/wire.md §1, §7.1.5", func(v *verdict) {
		ex := r.do(tokenRequest(grant))
		v.wantOAuthError(ex, http.StatusUnauthorized, api.OAuthInvalidClient, "")
	})

	r.check("token: wrong client secret → 401 invalid_client with the gateway's description", "doc/wire.md §1, §7.1.5", func(v *verdict) {
		id := r.cfg.ClientID
		if id == "" {
			id = "eccs-conformance-unknown-client"
		}
		ex := r.do(tokenRequest(grant, "Authorization", basicAuth(id, r.cfg.ClientSecret+"-not-the-secret")))
		v.wantOAuthError(ex, http.StatusUnauthorized, api.OAuthInvalidClient, descInvalidClient)
	})

	r.check("token: grant_type missing → 400 invalid_request", "doc/wire.md §1; RFC 6749 §5.2", func(v *verdict) {
		if missing != "" {
			v.cannot("%s", missing)
			return
		}
		ex := r.do(tokenRequest("", "Authorization", basic))
		v.wantOAuthError(ex, http.StatusBadRequest, api.OAuthInvalidRequest, "")
	})

	r.check("token: GET → 405", "doc/wire.md §1", func(v *verdict) {
		ex := r.do(request{method: http.MethodGet, path: api.TokenPath, header: http.Header{"Accept": {"application/json"}}})
		v.wantStatus(ex, http.StatusMethodNotAllowed)
	})
}

// missingCredentials says which credential the configuration lacks, "" when none.
func (r *runner) missingCredentials() string {
	var missing []string
	if r.cfg.ClientID == "" {
		missing = append(missing, "client id")
	}
	if r.cfg.ClientSecret == "" {
		missing = append(missing, "client secret")
	}
	if len(missing) > 0 {
		return "no " + strings.Join(missing, " and ") + " given"
	}
	return ""
}

// wantToken records a problem unless ex is a token endpoint success (doc/wire.md §1): 200,
// Content-Type application/json, token_type Bearer (any case), access_token a non-empty
// string, expires_in a number above 0. It returns the access token when it is usable.
func (v *verdict) wantToken(ex *exchange) string {
	body, ok := v.wantJSON(ex, http.StatusOK)
	if !ok {
		return ""
	}
	obj, isObject := body.(map[string]any)
	if !isObject {
		v.fail(ex, "expected a JSON object {token_type, access_token, expires_in}, got %s", snippet(ex.body))
		return ""
	}
	if tt, isString := obj["token_type"].(string); !isString || !strings.EqualFold(tt, api.TokenType) {
		v.fail(ex, "expected token_type \"Bearer\", got %s", describe(obj["token_type"]))
	}
	token, isString := obj["access_token"].(string)
	if !isString || token == "" {
		v.fail(ex, "expected access_token to be a non-empty string, got %s", describe(obj["access_token"]))
		token = ""
	}
	switch e, present := obj["expires_in"]; {
	case !present:
		v.fail(ex, "expected expires_in, a JSON number of seconds, got none")
	default:
		n, isNumber := e.(json.Number)
		if !isNumber {
			v.fail(ex, "expected expires_in to be a JSON number of seconds, got %s", describe(e))
			break
		}
		if f, err := strconv.ParseFloat(string(n), 64); err != nil || f <= 0 {
			v.fail(ex, "expected expires_in above 0, got %s", n)
		}
	}
	return token
}

// wantOAuthError records a problem unless ex is an OAuth error (RFC 6749 §5.2) with this
// status and error code, WWW-Authenticate: Basic on a 401, and this exact description when
// description is not empty.
func (v *verdict) wantOAuthError(ex *exchange, status int, code, description string) {
	if !v.wantStatus(ex, status) {
		return
	}
	v.wantJSONType(ex)
	body, err := parseJSON(ex.body)
	obj, isObject := body.(map[string]any)
	if err != nil || !isObject {
		v.fail(ex, "expected the OAuth error {\"error\", \"error_description\"}, got %s", snippet(ex.body))
		return
	}
	if got, _ := obj["error"].(string); got != code {
		v.fail(ex, "expected error %q, got %s", code, describe(obj["error"]))
	}
	if description != "" {
		if got, _ := obj["error_description"].(string); got != description {
			v.fail(ex, "expected error_description %q, got %s", description, describe(obj["error_description"]))
		}
	}
	if status == http.StatusUnauthorized {
		wa := ex.header.Get("WWW-Authenticate")
		if scheme, _, _ := strings.Cut(wa, " "); !strings.EqualFold(scheme, "Basic") {
			v.fail(ex, "expected WWW-Authenticate: Basic realm=\"Authorization Required\", got %q", wa)
		}
	}
}

// basicAuth is the Authorization value of HTTP Basic (RFC 7617).
func basicAuth(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
}
