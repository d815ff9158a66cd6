package main

// The getting-started guide's four examples, run with the real curl binary against a real
// dev server: once in the guide's own shape (one curl process per request, no shell), once as
// the dev server prints them at start (pasted into bash unchanged), once as README.md's tour
// writes them (pasted into bash with only the host and the document id substituted).
//
// curl's own output is left alone: the status of every transfer is recorded through a
// .curlrc (CURL_HOME) whose write-out goes to stderr, so the commands run exactly as written.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/devseed"
	"github.com/eccs/eccs/internal/docformat"
)

// guideUserBody is the body of the guide's example 3, as the guide lays it out (with the
// OCR slips of the PDF text, "Doe". and "iohn.doe", read as the slides show them).
const guideUserBody = `{
  "civility": "M",
  "lastName": "Doe",
  "firstName": "John",
  "email": "john.doe@orange.com",
  "login": "john.doe",
  "fixPhone": "0102030405",
  "mobilePhone": "",
  "roles": {
    "contracts": [
       "visitor"
    ]
  }
}`

// guideContractBody is the body of the guide's example 4; the guide's placeholders
// (billingAccountId "XXXXXXXX", offerCode "HONEY") take the dev world's values.
const guideContractBody = `{
  "billingAccountId": "%s",
  "offerCode": "%s",
  "contractName": "contractName",
  "supportLevel": "%s",
  "referentCivility": "M",
  "referentName": "Doe",
  "referentFirstName": "John",
  "referentMail": "john.doe@orange.com",
  "referentFixPhone": "0102030405",
  "referentMobilePhone": "0607080900",
  "referenceExt1": "ext1",
  "referenceExt2": "ext2",
  "referenceExt3": "ext3"
}`

var contractNumber = regexp.MustCompile(`^OCB[0-9]{7}$`)

// curlStatus is one transfer curl made, from the write-out of the test's .curlrc.
type curlStatus struct {
	code int
	url  string
}

var curlStatusLine = regexp.MustCompile(`ECCS-HTTP-STATUS (\d{3}) (\S+)`)

// curlSandbox returns a working directory and an environment for curl and bash: no proxy
// variables, a HOME of its own, and a .curlrc that reports each transfer's status on stderr.
func curlSandbox(t *testing.T) (dir string, env []string) {
	t.Helper()
	home := t.TempDir()
	rc := "write-out = \"%{stderr}\\nECCS-HTTP-STATUS %{http_code} %{url_effective}\\n\"\n"
	if err := os.WriteFile(filepath.Join(home, ".curlrc"), []byte(rc), 0o600); err != nil {
		t.Fatal(err)
	}
	dir = t.TempDir()
	return dir, []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "CURL_HOME=" + home, "LC_ALL=C"}
}

func parseCurlStatuses(stderr string) []curlStatus {
	var out []curlStatus
	for _, m := range curlStatusLine.FindAllStringSubmatch(stderr, -1) {
		code, _ := strconv.Atoi(m[1])
		out = append(out, curlStatus{code, m[2]})
	}
	return out
}

// runCurl runs curl with args (no shell) and returns its standard output and the status of
// its one transfer.
func runCurl(t *testing.T, dir string, env []string, args ...string) ([]byte, int) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "curl", args...)
	cmd.Dir, cmd.Env = dir, env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("curl %q: %v\nstderr: %s", args, err, stderr.String())
	}
	st := parseCurlStatuses(stderr.String())
	if len(st) != 1 {
		t.Fatalf("curl %q: %d transfers reported, want 1\nstderr: %s", args, len(st), stderr.String())
	}
	return stdout.Bytes(), st[0].code
}

// runBash runs a pasted script with bash -c and returns its standard output and the status of
// every transfer, in order.
func runBash(t *testing.T, dir string, env []string, script string) ([]byte, []curlStatus, string) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "bash", "-c", script)
	cmd.Dir, cmd.Env = dir, env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("bash -c <script>: %v\nscript:\n%s\nstderr:\n%s", err, script, stderr.String())
	}
	return stdout.Bytes(), parseCurlStatuses(stderr.String()), stderr.String()
}

// TestGuideExamplesWorkWithCurlAsWritten runs the guide's examples with curl, one call each in
// the guide's shape, then pastes into bash the commands `serve -dev` prints and the README's
// tour, and checks every answer.
func TestGuideExamplesWorkWithCurlAsWritten(t *testing.T) {
	requireTool(t, "curl")
	t.Parallel()
	t.Run("one curl per example, in the guide's shape", checkGuideCurlExamples)
	t.Run("the commands serve -dev prints, pasted into bash", checkDevPrintedCommandsInBash)
	t.Run("the README tour, pasted into bash", checkREADMETourInBash)
}

// guideCurl runs curl as the guide's examples do, with a token of the demo application.
type guideCurl struct {
	s            *server
	c            devseed.Credentials
	dir          string
	env          []string
	auth, accept string // the headers every example sends
}

func checkGuideCurlExamples(t *testing.T) {
	t.Parallel()
	s := startSeededDev(t)
	g := newGuideCurl(t, s)
	g.example1(t)
	g.example2(t)

	// Example 3: declare a user; --data-raw without a Content-Type (curl sends
	// application/x-www-form-urlencoded).
	out, code := g.curl(t, "-X", "POST", "-H", g.auth, "-H", "X-API-Key: "+g.c.APIKeys.Client,
		"-H", g.accept, g.c.APIURL+"/contract/OCB0000001/user", "--data-raw", guideUserBody)
	if code != http.StatusCreated {
		t.Fatalf("example 3: %d %s, want 201", code, out)
	}
	checkUserEcho(t, out)

	// Example 4: order a contract with the administrator key, trailing slash included.
	out, code = g.curl(t, "-X", "POST", "-H", g.auth, "-H", "X-API-Key: "+g.c.APIKeys.Administrator,
		"-H", g.accept, g.c.APIURL+"/contract/", "--data-raw", fmt.Sprintf(guideContractBody, g.c.BillingAccountID, g.c.OfferCode, g.c.SupportLevel))
	if code != http.StatusCreated {
		t.Fatalf("example 4: %d %s, want 201", code, out)
	}
	checkOrdered(t, s, out)
}

// newGuideCurl gets the token as the guide's Postman slides describe it (Basic
// client_id:secret): Bearer, expiring in an hour.
func newGuideCurl(t *testing.T, s *server) *guideCurl {
	t.Helper()
	g := &guideCurl{s: s, c: s.creds}
	g.dir, g.env = curlSandbox(t)
	out, code := g.curl(t, "-s", "-u", g.c.ClientID+":"+g.c.ClientSecret, "-d", "grant_type=client_credentials", g.c.TokenURL)
	if code != http.StatusOK {
		t.Fatalf("token: %d %s", code, out)
	}
	var tok api.Token
	if err := json.Unmarshal(out, &tok); err != nil || tok.TokenType != "Bearer" || tok.AccessToken == "" || tok.ExpiresIn != 3600 {
		t.Fatalf("token answer %s (%v): want token_type Bearer, an access_token, expires_in 3600", out, err)
	}
	remember(s, tok.AccessToken)
	g.auth = "Authorization: Bearer " + tok.AccessToken
	g.accept = "Accept: application/json " // the guide's trailing space
	return g
}

func (g *guideCurl) curl(t *testing.T, args ...string) ([]byte, int) {
	t.Helper()
	return runCurl(t, g.dir, g.env, args...)
}

// example1: GET /contract, with every member of the guide's "Réponse type".
func (g *guideCurl) example1(t *testing.T) {
	t.Helper()
	out, code := g.curl(t, "-X", "GET", "-H", g.auth, "-H", "X-API-Key: "+g.c.APIKeys.Client,
		"-H", "X-ECCS-Contract-Id: OCB0000001", "-H", g.accept, g.c.APIURL+"/contract")
	if code != http.StatusOK {
		t.Fatalf("example 1: %d %s", code, out)
	}
	var contract map[string]any
	if err := json.Unmarshal(out, &contract); err != nil {
		t.Fatalf("example 1: %v in %s", err, out)
	}
	for _, path := range []string{"id", "name", "contractType", "offer.name", "offer.id", "platformId",
		"customer.id", "customer.name", "customer.segment", "createdAt", "updatedAt",
		"contact.lastName", "contact.firstName", "contact.name", "contact.email", "contact.title"} {
		if v, ok := member(contract, path); !ok || v == "" {
			t.Errorf("example 1: member %s is missing or empty in %s", path, out)
		}
	}
	if contract["id"] != "OCB0000001" {
		t.Errorf("example 1: id %v, want OCB0000001", contract["id"])
	}
}

// example2: the documents of the contract, then the first one's file; then the same with the
// guide's ?documentType=invoices.
func (g *guideCurl) example2(t *testing.T) {
	t.Helper()
	for _, query := range []string{"", "?documentType=invoices"} {
		out, code := g.curl(t, "-X", "GET", "-H", g.auth, "-H", "X-API-Key: "+g.c.APIKeys.Client,
			"-H", "X-ECCS-Contract-Id: OCB0000001", "-H", g.accept, g.c.APIURL+"/documents"+query)
		if code != http.StatusOK {
			t.Fatalf("example 2 list%s: %d %s", query, code, out)
		}
		var docs []api.Document
		if err := json.Unmarshal(out, &docs); err != nil || len(docs) == 0 || len(docs) > 10 {
			t.Fatalf("example 2 list%s: %d documents (%v), want 1 to 10 (default limit)\n%s", query, len(docs), err, out)
		}
		if query != "" {
			for _, d := range docs {
				if d.DocumentType != "invoices" {
					t.Errorf("example 2 list%s: a %s in the list", query, d.DocumentType)
				}
			}
		}
		d := docs[0]
		name := "document" + filepath.Ext(d.Filename)
		out, code = g.curl(t, "-X", "GET", "-H", g.auth, "-H", "X-API-Key: "+g.c.APIKeys.Client,
			"-H", "X-ECCS-Contract-Id: OCB0000001", "-H", g.accept, g.c.APIURL+"/documents/"+d.ID+"/file", "-o", name)
		if code != http.StatusOK || len(out) != 0 {
			t.Fatalf("example 2 file %s: %d, stdout %q", d.ID, code, out)
		}
		checkDownloaded(t, filepath.Join(g.dir, name), d.DocumentType)
	}
}

// checkDevPrintedCommandsInBash pastes into bash the commands the dev server prints, from
// TOKEN= to its listening line, which hold the four examples.
func checkDevPrintedCommandsInBash(t *testing.T) {
	requireTool(t, "bash")
	requireTool(t, "sed")
	t.Parallel()
	s := startSeededDev(t)
	out := s.stdout.String()
	start := strings.Index(out, "\nTOKEN=")
	end := strings.Index(out, "\neccsd listening on ")
	if start < 0 || end < start {
		t.Fatalf("no commands (from TOKEN= to the listening line) in the dev server's output:\n%s", out)
	}
	script := out[start+1 : end]
	for _, ex := range []string{"# Example 1", "# Example 2", "# Example 3", "# Example 4"} {
		if !strings.Contains(script, ex) {
			t.Errorf("the printed commands lack %q", ex)
		}
	}
	checkTour(t, s, script)
}

// checkREADMETourInBash pastes into bash the README's five sh blocks, with only the port
// changed.
func checkREADMETourInBash(t *testing.T) {
	requireTool(t, "bash")
	requireTool(t, "sed")
	t.Parallel()
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?ms)^```sh\n(.*?)^```").FindAllStringSubmatch(string(readme), -1)
	if len(blocks) != 5 {
		t.Fatalf("README.md has %d sh blocks, want 5 (token, examples 1, 2 (list and file), 3 and 4)", len(blocks))
	}
	var script strings.Builder
	for _, b := range blocks {
		script.WriteString(b[1] + "\n")
	}
	s := startSeededDev(t)
	// The tour is pasted as it is: only the port differs, the demo ids are fixed.
	if !strings.Contains(script.String(), "127.0.0.1:8080") || !strings.Contains(script.String(), "/documents/"+s.creds.SampleDocumentID+"/file") {
		t.Fatalf("the README tour does not download the sample document %s from 127.0.0.1:8080; update the README", s.creds.SampleDocumentID)
	}
	text := strings.ReplaceAll(script.String(), "127.0.0.1:8080", s.hostport)
	checkTour(t, s, text)
}

// checkTour runs a pasted tour (token, examples 1 to 4 as the README and the dev server write
// them) and checks every status and body.
func checkTour(t *testing.T, s *server, script string) {
	t.Helper()
	dir, env := curlSandbox(t)
	stdout, statuses, stderr := runBash(t, dir, env, script)
	base := s.creds.APIURL
	want := []curlStatus{
		{200, s.creds.TokenURL},
		{200, base + "/contract"},
		{200, base + "/documents?documentType=bills&limit=3"},
		{200, base + "/documents/" + s.creds.SampleDocumentID + "/file"},
		{201, base + "/contract/OCB0000001/user"},
		{201, base + "/contract/"},
	}
	if !reflect.DeepEqual(statuses, want) {
		t.Fatalf("transfers (status, URL):\n got %v\nwant %v\nstdout: %s\nstderr: %s", statuses, want, stdout, stderr)
	}

	dec := json.NewDecoder(bytes.NewReader(stdout))
	var contract api.Contract
	if err := dec.Decode(&contract); err != nil || contract.ID != s.creds.SampleContractID || contract.Offer.Name == "" || contract.Contact.LastName == "" {
		t.Errorf("example 1 printed %+v (%v), want contract %s with offer and contact", contract, err, s.creds.SampleContractID)
	}
	var docs []api.Document
	if err := dec.Decode(&docs); err != nil || len(docs) != 3 {
		t.Fatalf("example 2 printed %d documents (%v), want 3\nstdout: %s", len(docs), err, stdout)
	}
	for i, d := range docs {
		if d.DocumentType != "bills" || (i > 0 && d.Period >= docs[i-1].Period) {
			t.Errorf("example 2 list: document %d is a %s of %s; want bills, newest period first", i, d.DocumentType, d.Period)
		}
	}
	if docs[0].ID != s.creds.SampleDocumentID {
		t.Errorf("example 2: the latest bill is %s, the dev server printed %s", docs[0].ID, s.creds.SampleDocumentID)
	}
	var user json.RawMessage
	if err := dec.Decode(&user); err != nil {
		t.Fatalf("example 3 printed no JSON: %v\nstdout: %s", err, stdout)
	}
	checkUserEcho(t, user)
	var created json.RawMessage
	if err := dec.Decode(&created); err != nil {
		t.Fatalf("example 4 printed no JSON: %v\nstdout: %s", err, stdout)
	}
	checkOrdered(t, s, created)
	if rest, _ := io.ReadAll(dec.Buffered()); len(bytes.TrimSpace(rest)) > 0 || dec.More() {
		t.Errorf("unexpected output after example 4: %q", rest)
	}
	checkDownloaded(t, filepath.Join(dir, "bill.xlsx"), "bills")
}

// checkUserEcho checks the answer of example 3: the guide's "Réponse type", the request
// echoed. (The guide's answer shows "mobilePhone": ""; eccs omits empty optional members,
// doc/wire.md §0, so the comparison treats absent and empty alike.)
func checkUserEcho(t *testing.T, body []byte) {
	t.Helper()
	var got, want api.User
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("example 3 answer %s: %v", body, err)
	}
	if err := json.Unmarshal([]byte(guideUserBody), &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("example 3 answer %s\nwant the request echoed: %+v", body, want)
	}
}

// checkOrdered checks the answer of example 4 and that the administrator can read the new
// contract.
func checkOrdered(t *testing.T, s *server, body []byte) {
	t.Helper()
	var created map[string]any
	if err := json.Unmarshal(body, &created); err != nil || len(created) != 1 {
		t.Fatalf("example 4 answer %s (%v), want {\"id\":\"OCB…\"}", body, err)
	}
	id, _ := created["id"].(string)
	if !contractNumber.MatchString(id) {
		t.Fatalf("example 4: id %q does not match %s", id, contractNumber)
	}
	tok := s.demoToken(t)
	var c api.Contract
	s.mustJSON(t, call{path: "/cloud/b2b/v1/contract", token: tok, key: s.creds.APIKeys.Administrator, contract: id}, http.StatusOK, &c)
	if c.ID != id || c.Name != "contractName" || c.Offer.ID != s.creds.OfferCode ||
		c.Contact.LastName != "Doe" || c.Contact.FirstName != "John" || c.Contact.Email != "john.doe@orange.com" {
		t.Errorf("GET /contract %s by the administrator: %+v", id, c)
	}
	var list []api.Contract
	s.mustJSON(t, call{path: "/cloud/b2b/v1/contracts", token: tok, key: s.creds.APIKeys.Administrator}, http.StatusOK, &list)
	found := false
	for _, l := range list {
		found = found || l.ID == id
	}
	if !found {
		t.Errorf("GET /contracts by the administrator does not list the new contract %s", id)
	}
}

// checkDownloaded checks a file curl saved: the format of its document type.
func checkDownloaded(t *testing.T, path, documentType string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the downloaded file: %v", err)
	}
	kind, ok := docformat.KindOf(documentType)
	if !ok {
		t.Fatalf("document type %q has no file format", documentType)
	}
	if err := kind.CheckBytes(data); err != nil {
		t.Errorf("%s (%s, %d bytes) is not a valid %v: %v", filepath.Base(path), documentType, len(data), kind, err)
	}
	if kind == docformat.BillingXLSX {
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: excelize cannot open it: %v", filepath.Base(path), err)
		}
		defer f.Close()
		if idx, err := f.GetSheetIndex(docformat.BillingSheet); err != nil || idx < 0 {
			t.Errorf("%s has no sheet %q (sheets %v)", filepath.Base(path), docformat.BillingSheet, f.GetSheetList())
		}
	}
}

// member returns the value at a dotted path of a decoded JSON object, as text.
func member(v map[string]any, path string) (string, bool) {
	var cur any = v
	for _, p := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return "", false
		}
		if cur, ok = m[p]; !ok {
			return "", false
		}
	}
	switch x := cur.(type) {
	case string:
		return x, true
	case nil:
		return "", false
	default:
		return fmt.Sprint(x), true
	}
}
