package conformance_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/conformance"
	"github.com/eccs/eccs/internal/devseed"
	"github.com/eccs/eccs/internal/docformat"
	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/fileblob"
	"github.com/eccs/eccs/internal/httpapi"
	"github.com/eccs/eccs/internal/sqlite"
)

var testKeys = eccs.Keys{
	HashKey:   []byte("test hash key, thirty-two bytes!!"),
	TokenKeys: []eccs.TokenKey{{ID: "test1", Secret: []byte("test token key, thirty-two bytes!")}},
}

// tempDir holds the seeded world; TestMain removes it.
var tempDir string

func TestMain(m *testing.M) {
	code := m.Run()
	if tempDir != "" {
		os.RemoveAll(tempDir)
	}
	os.Exit(code)
}

func mkdirTemp() (string, error) {
	var err error
	tempDir, err = os.MkdirTemp("", "eccs-conformance-test-")
	return tempDir, err
}

// devServer is the eccs service of the dev mode's demo world, shared by the tests: seeding
// generates every document's file, which takes a while.
var devServer struct {
	once  sync.Once
	svc   *eccs.Service
	creds devseed.Credentials
	err   error
}

// devHandler returns a new handler of the seeded eccs service, with the wire's default token
// rate limit (50 a minute per client): one run of the suite must stay under it. Each handler
// has its own limiter, so runs do not share the budget.
func devHandler(t *testing.T) (http.Handler, devseed.Credentials) {
	t.Helper()
	devServer.once.Do(func() {
		dir, err := mkdirTemp()
		if err != nil {
			devServer.err = err
			return
		}
		ctx := context.Background()
		db, err := sqlite.Open(ctx, filepath.Join(dir, "eccs.db"), sqlite.Options{})
		if err != nil {
			devServer.err = err
			return
		}
		if _, err := db.Migrate(ctx); err != nil {
			devServer.err = err
			return
		}
		blobs, err := fileblob.Open(filepath.Join(dir, "documents"))
		if err != nil {
			devServer.err = err
			return
		}
		devServer.creds, err = devseed.Seed(ctx, db, blobs, testKeys, time.Now().UTC(), devseed.URLs{Public: "http://example.invalid", Admin: "http://example.invalid"})
		if err != nil {
			devServer.err = err
			return
		}
		devServer.svc, devServer.err = eccs.NewService(db, blobs, eccs.Config{Keys: testKeys, Formats: docformat.Formats{}})
	})
	if devServer.err != nil {
		t.Fatalf("seed the dev world: %v", devServer.err)
	}
	h := httpapi.New(devServer.svc, slog.New(slog.NewJSONHandler(io.Discard, nil)), httpapi.Config{TokenRateLimit: 50})
	return h, devServer.creds
}

// run runs the suite against h with the demo application and the demo client account.
func run(t *testing.T, h http.Handler) conformance.Report {
	t.Helper()
	_, creds := devHandler(t)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	rep := conformance.Run(t.Context(), conformance.Config{
		BaseURL: srv.URL + "/", ClientID: creds.ClientID, ClientSecret: creds.ClientSecret, APIKey: creds.APIKeys.Client,
		HTTPClient: srv.Client(),
	})
	var b strings.Builder
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + b.String())
	return rep
}

func TestDevServerPasses(t *testing.T) {
	wire := wireSections(t)
	h, _ := devHandler(t)
	rep := run(t, h)
	if rep.Failed() != 0 {
		t.Errorf("%d checks failed against eccs", rep.Failed())
	}
	if len(rep.Checks) < 40 {
		t.Errorf("only %d checks ran", len(rep.Checks))
	}
	for _, c := range rep.Checks {
		if !c.Passed {
			t.Errorf("%s [%s] failed:\n%s", c.Name, c.Ref, c.Detail)
		}
		if strings.HasPrefix(c.Detail, "not applicable") {
			t.Errorf("%s did not apply to the dev world: %s", c.Name, c.Detail)
		}
		if c.Name == "" || c.Ref == "" {
			t.Errorf("check %+v lacks a name or a ref", c)
		}
		if c.Informational != (c.Ref == "eccs extension (informational)") {
			t.Errorf("%s: Informational %v with ref %q", c.Name, c.Informational, c.Ref)
		}
		if !c.Informational {
			for _, p := range refProblems(c.Ref, wire) {
				t.Errorf("%s: ref %q: %s", c.Name, c.Ref, p)
			}
		}
	}
	var b strings.Builder
	rep.WriteText(&b)
	if !strings.Contains(b.String(), strconv.Itoa(len(rep.Checks))+" checks, 0 failed") {
		t.Errorf("no summary line in the report:\n%s", b.String())
	}
}

// wireSections reads doc/wire.md, the reference the checks cite: the text of each numbered
// section ("0" to "8", "7.3.1"…), from its heading to the next heading.
func wireSections(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "doc", "wire.md"))
	if err != nil {
		t.Fatal(err)
	}
	heading := regexp.MustCompile(`^#{2,4} (\d+(?:\.\d+)*)\.? `)
	sections := map[string]string{}
	current := ""
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "#") {
			current = ""
			if m := heading.FindStringSubmatch(line); m != nil {
				current = m[1]
				if _, dup := sections[current]; dup {
					t.Errorf("doc/wire.md numbers two sections §%s", current)
				}
				sections[current] = ""
			}
			continue
		}
		if current != "" {
			sections[current] += line + "\n"
		}
	}
	if len(sections) < 9 {
		t.Fatalf("doc/wire.md has %d numbered sections", len(sections))
	}
	return sections
}

var (
	refRFC  = regexp.MustCompile(`^RFC \d{4}( §\d+(\.\d+)*)?$`)
	refWire = regexp.MustCompile(`^§(\d+(?:\.\d+)*)(?: step (\d+)| #(\d+))?$`)
)

// refProblems says what in a check's Ref does not cite something a user can open: parts
// separated by "; ", each "doc/wire.md §a, §b step n, §c #n" naming sections, steps and
// numbered entries that exist in doc/wire.md, or "RFC nnnn §x".
func refProblems(ref string, wire map[string]string) []string {
	var out []string
	for _, part := range strings.Split(ref, "; ") {
		cites, isWire := strings.CutPrefix(part, "doc/wire.md ")
		if !isWire {
			if !refRFC.MatchString(part) {
				out = append(out, fmt.Sprintf("%q cites neither doc/wire.md nor an RFC", part))
			}
			continue
		}
		for _, cite := range strings.Split(cites, ", ") {
			m := refWire.FindStringSubmatch(cite)
			if m == nil {
				out = append(out, fmt.Sprintf("%q is not of the form §n, §n step n or §n #n", cite))
				continue
			}
			text, ok := wire[m[1]]
			switch {
			case !ok:
				out = append(out, fmt.Sprintf("doc/wire.md has no §%s", m[1]))
			case m[2] != "" && !regexp.MustCompile(`(?m)^`+m[2]+`\. `).MatchString(text):
				out = append(out, fmt.Sprintf("doc/wire.md §%s has no step %s", m[1], m[2]))
			case m[3] != "" && !strings.Contains(text, "| #"+m[3]+" |"):
				out = append(out, fmt.Sprintf("doc/wire.md §%s has no entry #%s", m[1], m[3]))
			}
		}
	}
	return out
}

func TestRefProblems(t *testing.T) {
	wire := wireSections(t)
	for _, ref := range []string{
		"doc/wire.md §0", "doc/wire.md §3 step 5, §7.7 #5", "doc/wire.md §4, §7.3.3, §8 #12",
		"doc/wire.md §1; RFC 6749 §5.2", "doc/wire.md §7.6.6",
	} {
		if p := refProblems(ref, wire); len(p) != 0 {
			t.Errorf("refProblems(%q) = %q, want none", ref, p)
		}
	}
	for _, ref := range []string{
		"wire.md §4", "wire-facts §3.1", "doc/wire.md §9", "doc/wire.md §3 step 7", "doc/wire.md §8 #99",
		"doc/wire.md §4; wire-facts §3.3", "doc/wire.md §4,§5", "perf-anchors.md",
	} {
		if p := refProblems(ref, wire); len(p) == 0 {
			t.Errorf("refProblems(%q) found nothing wrong", ref)
		}
	}
}

// breaker answers like h, with one answer changed: edit sees each request and its answer
// (status, headers, body) and may change them.
type breaker struct {
	h      http.Handler
	before func(r *http.Request)
	edit   func(r *http.Request, status int, h http.Header, body []byte) (int, []byte)
}

func (b breaker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if b.before != nil {
		b.before(r)
	}
	rec := httptest.NewRecorder()
	b.h.ServeHTTP(rec, r)
	status, body := rec.Code, rec.Body.Bytes()
	header := rec.Header()
	if b.edit != nil {
		status, body = b.edit(r, status, header, body)
	}
	for k, vs := range header {
		w.Header()[k] = vs
	}
	if w.Header().Get("Content-Length") != "" {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	}
	w.WriteHeader(status)
	w.Write(body)
}

// editJSON decodes a JSON body, lets f change it, and encodes it again.
func editJSON(t *testing.T, body []byte, f func(v any) any) []byte {
	var v any
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		t.Errorf("the breaker could not decode %s: %v", body, err)
		return body
	}
	out, err := json.Marshal(f(v))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func isPath(r *http.Request, path string) bool { return r.URL.Path == path }

// documentsPath is the path of the document list.
const documentsPath = api.BasePath + "/documents"

// answerEdit changes an answer of the dev server (status, headers, body) to the request r; t
// is the subtest's, for editJSON.
type answerEdit func(t *testing.T, r *http.Request, status int, h http.Header, body []byte) (int, []byte)

// brokenServer is the dev server broken in one way: before changes each request, edit each
// answer.
type brokenServer struct {
	name   string
	before func(r *http.Request)
	edit   answerEdit
	failed []string // names of checks that must fail (a prefix of the name)
	detail string   // what the first of them must say
}

// brokenServers are servers that depart from the wire contract (doc/wire.md) in one way each,
// with the checks that must catch it.
var brokenServers = []brokenServer{
	{name: "documents wrapped in an object", edit: wrapDocuments,
		failed: []string{"GET /documents → 200 and a bare JSON array", "GET /documents?limit=3", "GET /documents?documentType=bills"},
		detail: `expected a bare JSON array, got an object: body {"documents":[`},
	{name: "expires_in as a string", edit: expiresInAsAString,
		failed: []string{"token: Basic client authentication", "token: client_id and client_secret form fields"},
		detail: `expected expires_in to be a JSON number of seconds, got the string "3600"`},
	{name: "no X-OAPI-Request-Id", edit: noRequestID,
		failed: []string{"every answer carries X-OAPI-Request-Id", "X-OAPI-Request-Id differs", "X-OAPI-Request-Id sent by the client"},
		detail: "expected an X-OAPI-Request-Id header on all"},
	{name: "error envelope with a string code", edit: errorCodeAsAString,
		failed: []string{"GET /contract without X-ECCS-Contract-Id", "GET /contract with a malformed", "GET /contract with a contract that does not exist",
			"no Authorization header", "unknown access token", "no X-API-Key header"},
		detail: `expected code to be the JSON integer 25, got the string "25"`},
	{name: "contact.lastName null", edit: nullContactLastName,
		failed: []string{"GET /contracts: id, name, offer.name", "GET /contract → 200"},
		detail: "contracts[0] (OCB0000001): contact.lastName is null, expected a string"},
	{name: "unknown documentType answers 400", edit: refuseUnknownDocumentType,
		failed: []string{"GET /documents?documentType=toto"},
		detail: "expected 200, got 400 with body {\"code\":28"},
	{name: "limit ignored", before: dropDocumentsLimit,
		failed: []string{"GET /documents?limit=3"},
		detail: "expected exactly 3 documents (min(3, 10 available with limit=100)), got 10"},
	{name: "documents oldest first", edit: documentsOldestFirst,
		failed: []string{"GET /documents: sorted by period, newest first"},
		detail: "expected newest first (period descending), got documents["},
	{name: "file answered in JSON", edit: fileInJSON,
		failed: []string{"GET /documents/{id}/file with Accept: application/json", "GET /documents/{id}/file?zipped=0", "bill file"},
		detail: `got JSON (Content-Type "application/json"): body {"content":`},
	{name: "consumption report with a total line", edit: consumptionTotalLine,
		failed: []string{"consumption report file"},
		detail: "has 4 ;-separated fields, expected 27: Total;;;1234,56"},
}

// wrapDocuments answers the document list as {"documents": [...]} instead of a bare array.
func wrapDocuments(t *testing.T, r *http.Request, status int, h http.Header, body []byte) (int, []byte) {
	if isPath(r, documentsPath) && status == 200 && bytes.HasPrefix(body, []byte("[")) {
		return status, append(append([]byte(`{"documents":`), body...), '}')
	}
	return status, body
}

// expiresInAsAString answers a token's expires_in as a string instead of a number.
func expiresInAsAString(t *testing.T, r *http.Request, status int, h http.Header, body []byte) (int, []byte) {
	if isPath(r, api.TokenPath) && status == 200 {
		return status, numberAsString(t, body, "expires_in")
	}
	return status, body
}

// numberAsString turns the number member of a JSON object body into the string of its digits.
func numberAsString(t *testing.T, body []byte, member string) []byte {
	return editJSON(t, body, func(v any) any {
		m := v.(map[string]any)
		m[member] = string(m[member].(json.Number))
		return m
	})
}

// noRequestID leaves X-OAPI-Request-Id out of every answer.
func noRequestID(t *testing.T, r *http.Request, status int, h http.Header, body []byte) (int, []byte) {
	h.Del(api.HeaderRequestID)
	return status, body
}

// errorCodeAsAString answers the code of every API error envelope as a string.
func errorCodeAsAString(t *testing.T, r *http.Request, status int, h http.Header, body []byte) (int, []byte) {
	if strings.HasPrefix(r.URL.Path, api.BasePath) && status >= 400 {
		return status, numberAsString(t, body, "code")
	}
	return status, body
}

// nullContactLastName answers the contact's lastName as null, in the contract list and in the
// contract.
func nullContactLastName(t *testing.T, r *http.Request, status int, h http.Header, body []byte) (int, []byte) {
	nullLastName := func(c any) {
		if m, ok := c.(map[string]any); ok {
			m["contact"].(map[string]any)["lastName"] = nil
		}
	}
	switch {
	case status == 200 && isPath(r, api.BasePath+"/contracts"):
		return status, editJSON(t, body, func(v any) any {
			for _, c := range v.([]any) {
				nullLastName(c)
			}
			return v
		})
	case status == 200 && isPath(r, api.BasePath+"/contract"):
		return status, editJSON(t, body, func(v any) any { nullLastName(v); return v })
	}
	return status, body
}

// refuseUnknownDocumentType answers an unknown documentType with a 400 instead of
// {"documents": null}.
func refuseUnknownDocumentType(t *testing.T, r *http.Request, status int, h http.Header, body []byte) (int, []byte) {
	if isPath(r, documentsPath) && r.URL.Query().Get("documentType") == "toto" {
		return 400, []byte(`{"code":28,"message":"Invalid query-string parameter value","description":"documentType is unknown."}`)
	}
	return status, body
}

// dropDocumentsLimit removes the limit of every request of the document list, as a server that
// ignores it would.
func dropDocumentsLimit(r *http.Request) {
	if isPath(r, documentsPath) {
		q := r.URL.Query()
		q.Del("limit")
		r.URL.RawQuery = q.Encode()
	}
}

// documentsOldestFirst answers the document list oldest first.
func documentsOldestFirst(t *testing.T, r *http.Request, status int, h http.Header, body []byte) (int, []byte) {
	if isPath(r, documentsPath) && status == 200 && bytes.HasPrefix(body, []byte("[")) {
		return status, editJSON(t, body, func(v any) any { slices.Reverse(v.([]any)); return v })
	}
	return status, body
}

// fileInJSON answers every file download as JSON holding the file.
func fileInJSON(t *testing.T, r *http.Request, status int, h http.Header, body []byte) (int, []byte) {
	if strings.HasSuffix(r.URL.Path, "/file") && status == 200 {
		h.Set("Content-Type", "application/json")
		out, _ := json.Marshal(map[string]any{"content": body})
		return status, out
	}
	return status, body
}

// consumptionTotalLine adds a total line to every CSV file downloaded.
func consumptionTotalLine(t *testing.T, r *http.Request, status int, h http.Header, body []byte) (int, []byte) {
	if strings.HasSuffix(r.URL.Path, "/file") && status == 200 && strings.HasPrefix(h.Get("Content-Type"), "text/csv") {
		return status, append(body, "Total;;;1234,56\n"...)
	}
	return status, body
}

// TestBrokenServersFail runs the suite against each of brokenServers: it must catch each.
func TestBrokenServersFail(t *testing.T) {
	h, _ := devHandler(t)
	for _, tc := range brokenServers {
		t.Run(tc.name, func(t *testing.T) { checkBrokenServerFails(t, h, tc) })
	}
}

// checkBrokenServerFails runs the suite against h broken as tc says: the suite must fail, each
// check of tc.failed must fail and show as FAIL in the report, the first of them saying
// tc.detail, and the report must end with its summary line.
func checkBrokenServerFails(t *testing.T, h http.Handler, tc brokenServer) {
	b := breaker{h: h, before: tc.before}
	if tc.edit != nil {
		b.edit = func(r *http.Request, status int, hd http.Header, body []byte) (int, []byte) {
			return tc.edit(t, r, status, hd, body)
		}
	}
	rep := run(t, b)
	if rep.Failed() == 0 {
		t.Fatal("the suite passed a broken server")
	}
	var text strings.Builder
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for i, name := range tc.failed {
		c, ok := find(rep, name)
		if !ok {
			t.Errorf("no check named %q", name)
			continue
		}
		if c.Passed {
			t.Errorf("%q passed", c.Name)
			continue
		}
		if i == 0 && !strings.Contains(c.Detail, tc.detail) {
			t.Errorf("%q: detail %q does not say %q", c.Name, c.Detail, tc.detail)
		}
		if !strings.Contains(text.String(), "FAIL  "+c.Name) {
			t.Errorf("the report does not show %q as FAIL", c.Name)
		}
	}
	if !strings.Contains(text.String(), strconv.Itoa(len(rep.Checks))+" checks, "+strconv.Itoa(rep.Failed())+" failed") {
		t.Errorf("no summary line in the report")
	}
}

// The real gateway offers none of the eccs extensions: their checks fail, but do not count.
func TestExtensionsAreInformational(t *testing.T) {
	h, _ := devHandler(t)
	rep := run(t, breaker{h: h, edit: func(r *http.Request, status int, hd http.Header, body []byte) (int, []byte) {
		hd.Del(api.HeaderTotalCount)
		hd.Del(api.HeaderResultCount)
		hd.Del("ETag")
		if isPath(r, api.BasePath+"/me") {
			return 404, []byte(`{"code":60,"message":"Resource not found","description":"No resource lives here."}`)
		}
		return status, body
	}})
	if rep.Failed() != 0 {
		t.Errorf("%d checks failed; want 0: extensions are informational", rep.Failed())
	}
	informational := 0
	for _, c := range rep.Checks {
		if c.Informational && !c.Passed {
			informational++
		}
	}
	if informational < 3 {
		t.Errorf("%d informational checks failed; want at least 3 (counts, /me, ETag)", informational)
	}
	var b strings.Builder
	rep.WriteText(&b)
	if !strings.Contains(b.String(), "checks, 0 failed (and") {
		t.Errorf("the summary does not mention the informational failures:\n%s", b.String())
	}
}

// A server that cannot be reached fails every check, none is left out.
func TestUnreachableServer(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	rep := conformance.Run(t.Context(), conformance.Config{BaseURL: url, ClientID: "id", ClientSecret: "secret", APIKey: "key"})
	var b strings.Builder
	rep.WriteText(&b)
	t.Log("\n" + b.String())
	for _, c := range rep.Checks {
		if c.Passed && !c.Informational {
			t.Errorf("%s passed against no server", c.Name)
		}
		if !c.Passed && c.Detail == "" {
			t.Errorf("%s failed without a detail", c.Name)
		}
	}
	if rep.Failed() == 0 {
		t.Error("nothing failed")
	}
}

func find(rep conformance.Report, prefix string) (conformance.Check, bool) {
	for _, c := range rep.Checks {
		if strings.HasPrefix(c.Name, prefix) {
			return c, true
		}
	}
	return conformance.Check{}, false
}
