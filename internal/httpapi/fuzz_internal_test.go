package httpapi

// Fuzz targets for the parsers of untrusted input in this package: the token request (Basic
// header and form), the bearer header, the JSON bodies of the customer and admin APIs, the
// contract header, and the admin upload's amount and durations. Each asserts properties of
// the result, not only the absence of a panic. Their seed corpora are in testdata/fuzz;
// scripts/fuzz runs each for a bounded time, and doc/reliability.md says what they prove.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/eccs"
)

// headerValues turns one fuzzed string into the values of a header sent len(values) times:
// "" is no header, a newline separates two values.
func headerValues(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// FuzzTokenRequest feeds arbitrary Authorization values and bodies to parseTokenRequest, and
// checks that well-formed credentials come back unchanged. Properties: a refusal is 400
// invalid_request or 401 invalid_client with a description; an accepted request names a
// client; the form's client_id, when sent, is the client; Basic credentials escaped as
// golang.org/x/oauth2 escapes them round-trip exactly, alone or with the same form fields.
func FuzzTokenRequest(f *testing.F) {
	f.Fuzz(func(t *testing.T, authorization string, body []byte, id, secret string) {
		tr, refusal := parseTokenRequest(headerValues(authorization), body)
		again, refusalAgain := parseTokenRequest(headerValues(authorization), body)
		if (refusal == nil) != (refusalAgain == nil) || tr.clientID != again.clientID || tr.secret != again.secret {
			t.Fatalf("parseTokenRequest is not deterministic")
		}
		if refusal != nil {
			switch {
			case refusal.description == "":
				t.Fatalf("refusal without a description: %+v", refusal)
			case refusal.status == http.StatusBadRequest && refusal.code == api.OAuthInvalidRequest:
			case refusal.status == http.StatusUnauthorized && refusal.code == api.OAuthInvalidClient:
			default:
				t.Fatalf("refusal %d %s is neither 400 invalid_request nor 401 invalid_client", refusal.status, refusal.code)
			}
		} else {
			if tr.clientID == "" {
				t.Fatalf("accepted a request that names no client: auth %q body %q", authorization, body)
			}
			if tr.form.Has("client_id") && tr.form.Get("client_id") != tr.clientID {
				t.Fatalf("client %q, but the form says client_id=%q", tr.clientID, tr.form.Get("client_id"))
			}
		}

		if id == "" {
			return
		}
		basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
		for _, form := range []string{
			"grant_type=client_credentials",
			"grant_type=client_credentials&client_id=" + url.QueryEscape(id),
			"client_id=" + url.QueryEscape(id) + "&client_secret=" + url.QueryEscape(secret) + "&grant_type=client_credentials",
		} {
			tr, refusal := parseTokenRequest([]string{basic}, []byte(form))
			if refusal != nil || tr.clientID != id || tr.secret != secret || tr.form.Get("grant_type") != "client_credentials" {
				t.Fatalf("Basic %q:%q with form %q: got %q:%q, %+v", id, secret, form, tr.clientID, tr.secret, refusal)
			}
		}
		// The same credentials in the form alone.
		tr, refusal = parseTokenRequest(nil, []byte("client_id="+url.QueryEscape(id)+"&client_secret="+url.QueryEscape(secret)))
		if refusal != nil || tr.clientID != id || tr.secret != secret {
			t.Fatalf("form %q:%q: got %q:%q, %+v", id, secret, tr.clientID, tr.secret, refusal)
		}
	})
}

// FuzzBearerToken feeds arbitrary Authorization values to bearerToken. Properties: a refusal
// is 401 with code 40 (no usable credentials) or 41 (sent twice); an accepted token is
// non-empty, without surrounding space, taken from the header, and parsing "Bearer <token>"
// gives it back.
func FuzzBearerToken(f *testing.F) {
	f.Fuzz(func(t *testing.T, authorization string) {
		values := headerValues(authorization)
		token, err := bearerToken(values)
		if err != nil {
			var we *wireError
			if !errors.As(err, &we) || we.status != http.StatusUnauthorized ||
				(we.code != api.CodeMissingCredentials && we.code != api.CodeInvalidCredentials) {
				t.Fatalf("bearerToken(%q): %v, want a 401/40 or 401/41", values, err)
			}
			if token != "" {
				t.Fatalf("bearerToken(%q) refused but returned %q", values, token)
			}
			return
		}
		if token == "" || strings.TrimSpace(token) != token || len(values) != 1 || !strings.Contains(values[0], token) {
			t.Fatalf("bearerToken(%q) = %q", values, token)
		}
		if again, err := bearerToken([]string{"Bearer " + token}); err != nil || again != token {
			t.Fatalf("Bearer %q: got %q, %v", token, again, err)
		}
	})
}

// jsonTargets are the request types the handlers decode JSON bodies into: the customer API's
// user declaration and contract order, and every admin API request.
var jsonTargets = []func() any{
	func() any { return new(userRequest) },
	func() any { return new(api.ContractOrder) },
	func() any { return new(admin.NewAccount) },
	func() any { return new(admin.Perimeter) },
	func() any { return new(admin.KeyRequest) },
	func() any { return new(admin.InvitationRequest) },
	func() any { return new(admin.KeyRotation) },
	func() any { return new(admin.NewApplication) },
	func() any { return new(admin.StatusChange) },
	func() any { return new(admin.SubscriptionChange) },
	func() any { return new(admin.TermsAcceptance) },
	func() any { return new(admin.SecretRotation) },
	func() any { return new(admin.Customer) },
	func() any { return new(admin.CustomerUpdate) },
	func() any { return new(admin.BillingAccount) },
	func() any { return new(admin.BillingAccountUpdate) },
	func() any { return new(admin.Offer) },
	func() any { return new(admin.OfferUpdate) },
	func() any { return new(admin.NewContract) },
	func() any { return new(admin.ContractUpdate) },
	func() any { return new(admin.ReferentChange) },
	func() any { return new(admin.NewUser) },
	func() any { return new(admin.RolesChange) },
	func() any { return new(admin.NewOperatorToken) },
	func() any { return new(admin.PersonUpdate) },
}

// fuzzBodyLimit is the body limit of FuzzDecodeJSON: small, so that the fuzzer reaches it.
const fuzzBodyLimit = 2048

func decodeBody(body []byte, v any) error {
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	return decodeJSON(httptest.NewRecorder(), r, fuzzBodyLimit, v)
}

// FuzzDecodeJSON feeds arbitrary bodies to decodeJSON for every request type. Properties: it
// fails only with a 4xx wireError of the body codes (21, 22, 24, 66), never a 5xx or another
// error; a body over the limit is 413/66; what it accepts encodes back to JSON that decodes
// to the same value (so nothing the client sent is half-read).
func FuzzDecodeJSON(f *testing.F) {
	f.Fuzz(func(t *testing.T, kind int, body []byte) {
		if kind < 0 {
			kind = -(kind + 1)
		}
		newTarget := jsonTargets[kind%len(jsonTargets)]
		v := newTarget()
		err := decodeBody(body, v)
		if err != nil {
			var we *wireError
			if !errors.As(err, &we) {
				t.Fatalf("%T: error %v (%T) is not a wireError", v, err, err)
			}
			switch {
			case we.status == http.StatusBadRequest && (we.code == api.CodeMissingBody || we.code == api.CodeInvalidBody || we.code == api.CodeInvalidBodyField):
			case we.status == http.StatusRequestEntityTooLarge && we.code == api.CodeEntityTooLarge:
			default:
				t.Fatalf("%T: %d/%d %q is not a body error", v, we.status, we.code, we.description)
			}
			if we.description == "" || strings.ContainsAny(we.description, "\n\r") {
				t.Fatalf("%T: description %q", v, we.description)
			}
			return
		}
		if len(body) > fuzzBodyLimit {
			t.Fatalf("%T: accepted a body of %d bytes, over the limit of %d", v, len(body), fuzzBodyLimit)
		}
		encoded, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("%T %+v: cannot encode what was decoded: %v", v, v, err)
		}
		w := newTarget()
		if err := json.Unmarshal(encoded, w); err != nil {
			t.Fatalf("%T: re-decoding %s: %v", v, encoded, err)
		}
		if again, _ := json.Marshal(w); !bytes.Equal(again, encoded) {
			t.Fatalf("%T: decode/encode is not stable:\n%s\n%s", v, encoded, again)
		}
	})
}

// FuzzContractHeader feeds arbitrary X-ECCS-Contract-Id values to contractHeader. Properties:
// refusals are 400/25 (absent or blank) or 400/26; an accepted number is the trimmed header
// and a valid contract id; a valid contract id sent once is always accepted as is.
func FuzzContractHeader(f *testing.F) {
	f.Fuzz(func(t *testing.T, value string) {
		values := headerValues(value)
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header[http.CanonicalHeaderKey(api.HeaderContractID)] = values
		id, err := contractHeader(r)
		if err != nil {
			var we *wireError
			if !errors.As(err, &we) || we.status != http.StatusBadRequest || (we.code != api.CodeMissingHeader && we.code != api.CodeInvalidHeader) {
				t.Fatalf("contractHeader(%q): %v", values, err)
			}
			if len(values) == 1 && eccs.ValidContractID(strings.TrimSpace(values[0])) {
				t.Fatalf("contractHeader(%q) refused a valid contract number: %v", values, err)
			}
			return
		}
		if len(values) != 1 || id != strings.TrimSpace(values[0]) || !eccs.ValidContractID(id) {
			t.Fatalf("contractHeader(%q) = %q", values, id)
		}
	})
}

// amountSyntax is the syntax amountParam documents: an optional minus, 1 to 13 digits, and
// optionally a dot and 1 or 2 digits.
var amountSyntax = regexp.MustCompile(`^-?[0-9]{1,13}(\.[0-9]{1,2})?$`)

// FuzzAmountParam checks amountParam against its documented syntax. Properties: it accepts
// exactly the strings of amountSyntax; refusals are 400/28; the cents it returns, written
// back with two decimals, read back to the same cents.
func FuzzAmountParam(f *testing.F) {
	f.Fuzz(func(t *testing.T, v string) {
		cents, err := amountParam(v)
		if want := amountSyntax.MatchString(v); (err == nil) != want {
			t.Fatalf("amountParam(%q) = %d, %v; the syntax says accepted=%v", v, cents, err, want)
		}
		if err != nil {
			var we *wireError
			if !errors.As(err, &we) || we.status != http.StatusBadRequest || we.code != api.CodeInvalidQueryParameter {
				t.Fatalf("amountParam(%q): %v", v, err)
			}
			return
		}
		sign, abs := "", cents
		if cents < 0 {
			sign, abs = "-", -cents
		}
		written := fmt.Sprintf("%s%d.%02d", sign, abs/100, abs%100)
		if again, err := amountParam(written); err != nil || again != cents {
			t.Fatalf("amountParam(%q) = %d, written %q reads %d, %v", v, cents, written, again, err)
		}
		// The cents are the decimal number written: division is correctly rounded, so
		// cents/100 is the double nearest that number, as ParseFloat's reading is.
		if fv, err := strconv.ParseFloat(v, 64); err != nil || fv != float64(cents)/100 {
			t.Fatalf("amountParam(%q) = %d cents, the number is %v", v, cents, fv)
		}
	})
}

// FuzzParseDuration checks parseDuration and bodyDuration. Properties: "<n>d" is n days for
// 0 ≤ n ≤ 36500 and refused otherwise; anything else is exactly what time.ParseDuration says;
// a duration it accepts, written by Duration.String, reads back the same; bodyDuration never
// returns a negative duration and refuses with 400/24.
func FuzzParseDuration(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := parseDuration(s)
		if days, isDays := strings.CutSuffix(s, "d"); isDays {
			n, err := strconv.Atoi(days)
			want := err == nil && n >= 0 && n <= 100*365
			if ok != want || ok && d != time.Duration(n)*24*time.Hour {
				t.Fatalf("parseDuration(%q) = %v, %v", s, d, ok)
			}
		} else {
			want, err := time.ParseDuration(s)
			if ok != (err == nil) || ok && d != want {
				t.Fatalf("parseDuration(%q) = %v, %v; time.ParseDuration says %v, %v", s, d, ok, want, err)
			}
		}
		if ok {
			if again, ok := parseDuration(d.String()); !ok || again != d {
				t.Fatalf("parseDuration(%q) = %v, but %q reads %v, %v", s, d, d.String(), again, ok)
			}
		}
		bd, err := bodyDuration("ttl", s)
		if err != nil {
			var we *wireError
			if !errors.As(err, &we) || we.status != http.StatusBadRequest || we.code != api.CodeInvalidBodyField {
				t.Fatalf("bodyDuration(%q): %v", s, err)
			}
			return
		}
		if bd < 0 || s != "" && bd != d {
			t.Fatalf("bodyDuration(%q) = %v (parseDuration %v)", s, bd, d)
		}
	})
}

// TestFuzzDecodeJSONSeesEveryRequestType guards FuzzDecodeJSON's list: every type this
// package's handlers decode a body into (the variable given to decodeJSON or
// decodeOptionalJSON) is in it, so a new request type is fuzzed once it is added there.
func TestFuzzDecodeJSONSeesEveryRequestType(t *testing.T) {
	listed := map[string]bool{}
	for _, target := range jsonTargets {
		name := strings.TrimPrefix(reflect.TypeOf(target()).String(), "*")
		listed[strings.TrimPrefix(name, "httpapi.")] = true
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	decoded := map[string]string{} // type → where
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		findDecoded(t, fset, file, decoded)
	}
	if len(decoded) < 10 {
		t.Fatalf("found only %d decoded types: the scan is broken (%v)", len(decoded), decoded)
	}
	for typ, where := range decoded {
		if !listed[typ] {
			t.Errorf("%s decodes a body into %s, which FuzzDecodeJSON's jsonTargets does not list", where, typ)
		}
	}
}

// findDecoded records in decoded, by type, where the handlers of file decode a body
// (decodeJSON, decodeOptionalJSON into a variable declared with var).
func findDecoded(t *testing.T, fset *token.FileSet, file *ast.File, decoded map[string]string) {
	for _, decl := range file.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || fn.Body == nil {
			continue
		}
		vars := map[string]string{}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				if n.Type != nil {
					for _, id := range n.Names {
						vars[id.Name] = types.ExprString(n.Type)
					}
				}
			case *ast.CallExpr:
				callee, ok := n.Fun.(*ast.Ident)
				if !ok || (callee.Name != "decodeJSON" && callee.Name != "decodeOptionalJSON") || len(n.Args) == 0 {
					return true
				}
				if u, ok := n.Args[len(n.Args)-1].(*ast.UnaryExpr); ok {
					if id, ok := u.X.(*ast.Ident); ok {
						if typ, ok := vars[id.Name]; ok {
							decoded[typ] = fset.Position(n.Pos()).String()
						} else {
							t.Errorf("%s: the type of %s is not declared with var in the handler", fset.Position(n.Pos()), id.Name)
						}
					}
				}
			}
			return true
		})
	}
}
