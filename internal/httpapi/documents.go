package httpapi

import (
	"archive/zip"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/eccs"
)

// defaultDocumentLimit is the page size of GET /documents without limit.
const defaultDocumentLimit = 10

// handleDocumentsList is GET /documents: the documents of the contract named by
// X-ECCS-Contract-Id, newest first. An unknown documentType answers 200 {"documents": null},
// as the real service does; an empty one means every type.
func (s *server) handleDocumentsList(w http.ResponseWriter, r *http.Request) error {
	reader, err := s.documentReader(w, r)
	if err != nil {
		return err
	}
	q, err := queryParams(r)
	if err != nil {
		return err
	}
	page, err := pageParam(q, defaultDocumentLimit)
	if err != nil {
		return err
	}
	typeName, _, err := queryValue(q, "documentType")
	if err != nil {
		return err
	}
	var types []eccs.DocumentType // nil: every type
	known := true
	if typeName != "" {
		t, ok := eccs.ParseDocumentType(typeName)
		known = ok
		types = []eccs.DocumentType{}
		if ok {
			types = append(types, t)
		}
	}
	list, total, err := s.svc.Documents(r.Context(), reader, types, page)
	if err != nil {
		return err
	}
	if !known {
		// What the real service answers; the Warning tells the caller why nothing came.
		warn(w, fmt.Sprintf("documentType %q is not a document type, so no document matches; the types are %s.", truncate(typeName, 40), documentTypeNames))
		setCounts(w, 0, 0)
		writeJSON(w, http.StatusOK, api.NoDocuments{})
		return nil
	}
	out := make([]api.Document, len(list))
	for i, d := range list {
		out[i] = documentJSON(d)
	}
	setCounts(w, total, len(out))
	writeJSON(w, http.StatusOK, out)
	return nil
}

// documentReader runs the checks of the document calls in the wire's order (doc/wire.md §3):
// credentials (steps 1 to 4) and contract (step 5) in contractAccess, then the role on the
// documents section (step 6, eccs.MayReadDocuments). The calls read their parameters only
// after it, so that a caller without the role learns nothing from them.
func (s *server) documentReader(w http.ResponseWriter, r *http.Request) (eccs.DocumentReader, error) {
	access, err := s.contractAccess(w, r)
	if err != nil {
		return eccs.DocumentReader{}, err
	}
	return eccs.MayReadDocuments(access)
}

// documentTypeNames lists the document types for messages.
var documentTypeNames = func() string {
	names := make([]string, len(eccs.DocumentTypes))
	for i, t := range eccs.DocumentTypes {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}()

// documentJSON is a document on the wire.
func documentJSON(d eccs.Document) api.Document {
	return api.Document{
		ID:           d.ID,
		Filename:     d.Filename,
		Period:       d.Period,
		CreatedAt:    wireTime(d.CreatedAt),
		UpdatedAt:    wireTime(d.UpdatedAt),
		Amount:       float64(d.Amount) / 100,
		Currency:     d.Currency,
		DocumentType: string(d.Type),
	}
}

// handleDocumentFile is GET /documents/{documentId}/file: the document's bytes, streamed,
// with a strong ETag (its SHA-256), Last-Modified, Range and conditional requests. With
// zipped=1 the answer is a ZIP archive holding the one file. Accept is ignored: real clients
// send Accept: application/json here and expect the bytes.
func (s *server) handleDocumentFile(w http.ResponseWriter, r *http.Request) error {
	reader, err := s.documentReader(w, r)
	if err != nil {
		return err
	}
	zipped, err := zippedParam(r)
	if err != nil {
		return err
	}
	// Document ids are opaque: one the server does not know, of any shape, is 404/60.
	d, blob, err := s.svc.OpenDocument(r.Context(), reader, r.PathValue("documentId"))
	if err != nil {
		return err
	}
	defer blob.Close()

	s.serveDocument(w, r, d, blob, zipped)
	return nil
}

// serveDocument sends a document's bytes: raw, streamed by http.ServeContent with a strong
// ETag (the SHA-256), Repr-Digest, Last-Modified, Range and conditional requests; or, with
// zipped, as a ZIP archive built on the fly. It serves customers and operators alike.
func (s *server) serveDocument(w http.ResponseWriter, r *http.Request, d eccs.Document, blob eccs.Blob, zipped bool) {
	h := w.Header()
	h.Set("Cache-Control", "private, no-cache") // personal data: revalidate, never share
	if zipped {
		name := d.Filename + ".zip"
		h.Set("Content-Type", "application/zip")
		h.Set("Content-Disposition", contentDisposition(name))
		h.Set("ETag", `"`+d.SHA256+`-zip"`)
		h.Set("Last-Modified", d.UpdatedAt.UTC().Format(http.TimeFormat))
		h.Set("Accept-Ranges", "none")
		if etagMatches(r.Header.Get("If-None-Match"), h.Get("ETag")) {
			h.Del("Content-Type") // a 304 has no content, as ServeContent's own
			w.WriteHeader(http.StatusNotModified)
			return
		}
		if r.Method == http.MethodHead {
			w.WriteHeader(http.StatusOK)
			return
		}
		s.writeZip(w, r, d, blob)
		return
	}
	if rng := r.Header.Get("Range"); rng != "" {
		if canonical, ok := canonicalRange(rng); ok {
			r.Header.Set("Range", canonical)
		} else {
			r.Header.Del("Range")
		}
	}
	h.Set("Content-Type", d.ContentType)
	h.Set("Content-Disposition", contentDisposition(d.Filename))
	h.Set("ETag", `"`+d.SHA256+`"`)
	if sum, err := hex.DecodeString(d.SHA256); err == nil {
		h.Set("Repr-Digest", "sha-256=:"+base64.StdEncoding.EncodeToString(sum)+":")
	}
	http.ServeContent(&contentWriter{ResponseWriter: w, s: s, r: r, size: blob.Size()}, r, "", d.UpdatedAt, blob)
}

// contentWriter stands between http.ServeContent and the client. ServeContent answers a
// failed precondition (412) and a range outside the file (416) in plain text; this answers them
// in the gateway envelope. It passes ReadFrom through, so the file is still sent with sendfile.
type contentWriter struct {
	http.ResponseWriter
	s      *server
	r      *http.Request
	size   int64
	failed bool // an envelope was written: drop what ServeContent writes
}

func (cw *contentWriter) WriteHeader(status int) {
	if status < 400 {
		cw.ResponseWriter.WriteHeader(status)
		return
	}
	cw.failed = true
	var we *wireError
	switch status {
	case http.StatusPreconditionFailed:
		we = &wireError{status: status, code: api.CodeInvalidHeader,
			description: "The document no longer matches the If-Match or If-Unmodified-Since header; fetch its current ETag first."}
	case http.StatusRequestedRangeNotSatisfiable:
		we = &wireError{status: status, code: api.CodeInvalidHeader,
			description: fmt.Sprintf("The Range header asks for bytes outside the %d-byte file.", cw.size)}
	default:
		we = &wireError{status: http.StatusInternalServerError, code: api.CodeInternalError, description: internalDescription}
	}
	cw.s.writeError(cw.ResponseWriter, cw.r, we)
}

func (cw *contentWriter) Write(b []byte) (int, error) {
	if cw.failed {
		return len(b), nil
	}
	return cw.ResponseWriter.Write(b)
}

func (cw *contentWriter) ReadFrom(src io.Reader) (int64, error) {
	if cw.failed {
		return io.Copy(io.Discard, src)
	}
	return io.Copy(cw.ResponseWriter, src)
}

// writeZip streams a ZIP archive holding the document. The archive is built while it is sent,
// so its length is not known in advance and Range is not offered on it. A failure once the
// status is sent can only be told by cutting the connection: the client must not take a
// truncated archive for a whole one.
func (s *server) writeZip(w http.ResponseWriter, r *http.Request, d eccs.Document, blob eccs.Blob) {
	w.WriteHeader(http.StatusOK)
	zw := zip.NewWriter(w)
	f, err := zw.CreateHeader(&zip.FileHeader{Name: d.Filename, Method: zip.Deflate, Modified: d.UpdatedAt.UTC()})
	if err == nil {
		_, err = io.Copy(f, blob)
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		s.logFailure(r, fmt.Errorf("zip document %s: %w", d.ID, err))
		panic(http.ErrAbortHandler)
	}
}

// zippedParam reads zipped: 1 or true for a ZIP, 0, false or absent for the raw file.
func zippedParam(r *http.Request) (bool, error) {
	q, err := queryParams(r)
	if err != nil {
		return false, err
	}
	v, present, err := queryValue(q, "zipped")
	if err != nil || !present {
		return false, err
	}
	switch strings.ToLower(v) {
	case "1", "true":
		return true, nil
	case "0", "false":
		return false, nil
	case "":
		return false, fail(http.StatusBadRequest, api.CodeMissingQueryParameter,
			"The query-string parameter zipped has no value; give 1 or true for a ZIP archive, 0 or false for the raw file.")
	}
	return false, fail(http.StatusBadRequest, api.CodeInvalidQueryParameter,
		"One or more query-string parameters contain invalid values: zipped must be 1, true, 0 or false, not %q.", truncate(v, 40))
}

// contentDisposition names a download (RFC 6266). Stored names have no quote, backslash,
// slash or control character. A name that is plain ASCII without a "%XX" sequence goes in
// filename="…" as it is. Any other name goes in filename* (RFC 8187: UTF-8, every byte but
// the attr-chars percent-encoded), after a filename="…" fallback for clients that do not read
// filename*, in which non-ASCII characters and '%' become '_': a fallback holding "%XX" would
// be decoded by some clients and not by others (RFC 6266 appendix D).
func contentDisposition(name string) string {
	ascii := true
	for i := 0; i < len(name); i++ {
		ascii = ascii && name[i] >= 0x20 && name[i] <= 0x7e
	}
	if ascii && !hasPercentEscape(name) {
		return `attachment; filename="` + name + `"`
	}
	fallback := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '%' {
			return '_'
		}
		return r
	}, name)
	return `attachment; filename="` + fallback + `"; filename*=UTF-8''` + encodeExtValue(name)
}

// hasPercentEscape reports whether s holds '%' followed by two hexadecimal digits.
func hasPercentEscape(s string) bool {
	for i := 0; i+2 < len(s); i++ {
		if s[i] == '%' && isHex(s[i+1]) && isHex(s[i+2]) {
			return true
		}
	}
	return false
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// encodeExtValue percent-encodes the UTF-8 bytes of s but the attr-chars of RFC 8187 §3.2.1:
// ALPHA DIGIT ! # $ & + - . ^ _ ` | ~.
func encodeExtValue(s string) string {
	const upperhex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(upperhex[c>>4])
		b.WriteByte(upperhex[c&15])
	}
	return b.String()
}

// etagMatches reports whether an If-None-Match value matches etag (weak comparison, as RFC
// 9110 §13.1.2 asks for If-None-Match).
func etagMatches(ifNoneMatch, etag string) bool {
	if ifNoneMatch == "" {
		return false
	}
	for _, candidate := range strings.Split(ifNoneMatch, ",") {
		candidate = strings.TrimPrefix(strings.TrimSpace(candidate), "W/")
		if candidate == "*" || candidate == etag {
			return true
		}
	}
	return false
}
