package httpapi

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/spool"
)

// documentParams are the query-string parameters of an upload, which describe the file.
var documentParams = []string{"type", "period", "amount", "currency", "filename"}

// uploadParams are documentParams with the optional id, which the domain checks too.
var uploadParams = slices.Concat(documentParams, []string{"id"})

// handleAdminDocumentsList is GET /admin/v1/contracts/{id}/documents: every document of the
// contract, newest first.
func (s *server) handleAdminDocumentsList(w http.ResponseWriter, r *http.Request) error {
	id, err := contractPathID(r)
	if err != nil {
		return err
	}
	_, page, err := adminPage(r)
	if err != nil {
		return err
	}
	list, total, err := s.svc.OperatorDocuments(r.Context(), id, page)
	if err != nil {
		return err
	}
	writeList(w, listOf(list, adminDocumentJSON), total)
	return nil
}

// handleAdminDocumentUpload is POST /admin/v1/contracts/{id}/documents?type&period&amount&
// currency[&filename][&createdAt][&id]: the body is the file itself, in any Content-Type. It is spooled to a
// temporary file (never held in memory), checked against its type's format (doc/wire.md §6), then
// stored. A file that breaks its format answers 400/24 with the checker's reason; nothing is
// left behind.
func (s *server) handleAdminDocumentUpload(w http.ResponseWriter, r *http.Request) error {
	contractID, err := contractPathID(r)
	if err != nil {
		return err
	}
	q, err := queryParams(r)
	if err != nil {
		return err
	}
	var v [5]string
	for i, name := range documentParams {
		if v[i], err = queryString(q, name, 200); err != nil {
			return err
		}
		if v[i] == "" && name != "filename" {
			return fail(http.StatusBadRequest, api.CodeMissingQueryParameter,
				"The query-string parameter %s is required: give the document's type, period (YYYYMM), amount (such as 1234.56) and currency (such as EUR).", name)
		}
	}
	amount, err := amountParam(v[2])
	if err != nil {
		return err
	}
	nd := eccs.NewDocument{ContractID: contractID, Type: documentType(v[0]), Period: v[1], Amount: amount, Currency: v[3], Filename: v[4]}
	// Documents loaded from another billing system may keep their ids.
	if nd.ID, err = queryString(q, "id", eccs.MaxDocumentIDLen); err != nil {
		return err
	}
	// Documents loaded from another billing system keep their creation time.
	if created, err := queryString(q, "createdAt", 40); err != nil {
		return err
	} else if created != "" {
		if nd.CreatedAt, err = time.Parse(time.RFC3339, created); err != nil {
			return fail(http.StatusBadRequest, api.CodeInvalidQueryParameter,
				"One or more query-string parameters contain invalid values: createdAt must be an RFC 3339 time such as 2026-01-02T03:00:00Z, not %q.", truncate(created, 40))
		}
	}
	// An unknown contract is told before a large body is read for nothing.
	if _, err := s.svc.Contract(r.Context(), contractID); err != nil {
		return err
	}
	f, size, err := s.spool(w, r)
	if err != nil {
		return err
	}
	defer removeSpool(f)
	d, err := s.svc.AddDocument(r.Context(), nd, f, size)
	if err != nil {
		return uploadFailure(err)
	}
	writeJSON(w, http.StatusCreated, adminDocumentJSON(d))
	return nil
}

// handleAdminDocumentReplace is PUT /admin/v1/contracts/{id}/documents/{documentId}/file
// [?period&amount&currency&filename]: new bytes for the document (checked as on upload) and,
// optionally, new metadata.
func (s *server) handleAdminDocumentReplace(w http.ResponseWriter, r *http.Request) error {
	contractID, docID, err := documentPath(r)
	if err != nil {
		return err
	}
	q, err := queryParams(r)
	if err != nil {
		return err
	}
	if _, present := q["type"]; present {
		return fail(http.StatusBadRequest, api.CodeInvalidQueryParameter,
			"A document keeps its type: leave out the query-string parameter type, or delete the document and upload a new one.")
	}
	var u eccs.DocumentUpdate
	for _, p := range []struct {
		name string
		dst  **string
	}{{"period", &u.Period}, {"currency", &u.Currency}, {"filename", &u.Filename}} {
		v, err := queryString(q, p.name, 200)
		if err != nil {
			return err
		}
		if v != "" {
			*p.dst = &v
		}
	}
	if v, err := queryString(q, "amount", 40); err != nil {
		return err
	} else if v != "" {
		amount, err := amountParam(v)
		if err != nil {
			return err
		}
		u.Amount = &amount
	}
	f, size, err := s.spool(w, r)
	if err != nil {
		return err
	}
	defer removeSpool(f)
	d, err := s.svc.ReplaceDocument(r.Context(), contractID, docID, u, f, size)
	if err != nil {
		return uploadFailure(err)
	}
	writeJSON(w, http.StatusOK, adminDocumentJSON(d))
	return nil
}

// handleAdminDocumentDelete is DELETE /admin/v1/contracts/{id}/documents/{documentId}.
func (s *server) handleAdminDocumentDelete(w http.ResponseWriter, r *http.Request) error {
	contractID, docID, err := documentPath(r)
	if err != nil {
		return err
	}
	if err := s.svc.DeleteDocument(r.Context(), contractID, docID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handleAdminDocumentFile is GET /admin/v1/contracts/{id}/documents/{documentId}/file: the
// document's bytes, streamed, with its ETag, Last-Modified, Range and conditional requests,
// whatever its type.
func (s *server) handleAdminDocumentFile(w http.ResponseWriter, r *http.Request) error {
	contractID, docID, err := documentPath(r)
	if err != nil {
		return err
	}
	d, blob, err := s.svc.OperatorDocument(r.Context(), contractID, docID)
	if err != nil {
		return err
	}
	defer blob.Close()
	s.serveDocument(w, r, d, blob, false)
	return nil
}

// documentPath returns the contract number and document id of the URL; 400/20 when the
// contract number is malformed. Document ids are opaque: one the server does not know, of any
// shape, answers 404/60 where it is looked up.
func documentPath(r *http.Request) (string, string, error) {
	contractID, err := contractPathID(r)
	if err != nil {
		return "", "", err
	}
	docID, err := pathID(r, "documentId")
	if err != nil {
		return "", "", err
	}
	return contractID, docID, nil
}

// documentType returns the document type a parameter names, in its canonical spelling when it
// is one (the domain refuses any other value, naming the field type).
func documentType(v string) eccs.DocumentType {
	if t, ok := eccs.ParseDocumentType(v); ok {
		return t
	}
	return eccs.DocumentType(v)
}

// amountParam reads an amount with at most two decimals ("1234.56", "-12", "0.5") as cents.
func amountParam(v string) (int64, error) {
	bad := fail(http.StatusBadRequest, api.CodeInvalidQueryParameter,
		"One or more query-string parameters contain invalid values: amount must be a number with at most two decimals and a '.', such as 1234.56, not %q.", truncate(v, 40))
	digits := strings.TrimPrefix(v, "-")
	whole, frac, dot := strings.Cut(digits, ".")
	if whole == "" || len(whole) > 13 || !isDigits(whole) || dot && (frac == "" || len(frac) > 2 || !isDigits(frac)) {
		return 0, bad
	}
	for len(frac) < 2 {
		frac += "0"
	}
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return 0, bad
	}
	if strings.HasPrefix(v, "-") {
		n = -n
	}
	return n, nil
}

func isDigits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// spool copies the request body to a temporary file, at most AdminConfig.MaxUploadBytes of
// it, and returns the file and its size; the caller removes it (removeSpool). 413/66 past the
// limit, 415/68 for a Content-Encoding.
func (s *server) spool(w http.ResponseWriter, r *http.Request) (*os.File, int64, error) {
	limit := s.admin.MaxUploadBytes
	if enc := r.Header.Get("Content-Encoding"); enc != "" && !strings.EqualFold(enc, "identity") {
		return nil, 0, fail(http.StatusUnsupportedMediaType, api.CodeUnsupportedMediaType,
			"The request body is encoded with %q; send the file as is, without Content-Encoding.", truncate(enc, 40))
	}
	tooLarge := fail(http.StatusRequestEntityTooLarge, api.CodeEntityTooLarge,
		"The file is larger than %d bytes, the largest upload this server accepts.", limit)
	if r.ContentLength > limit {
		return nil, 0, tooLarge
	}
	f, err := spool.Create(s.admin.TempDir)
	if err != nil {
		if diskFull(err) {
			return nil, 0, insufficientStorage(fmt.Errorf("spool the upload: %w", err))
		}
		return nil, 0, fmt.Errorf("spool the upload: %w", err)
	}
	n, err := io.Copy(f, http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		removeSpool(f)
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, 0, tooLarge
		}
		if _, ok := errors.AsType[*os.PathError](err); ok { // the disk, not the client
			if diskFull(err) {
				return nil, 0, insufficientStorage(fmt.Errorf("spool the upload: %w", err))
			}
			return nil, 0, fmt.Errorf("spool the upload: %w", err)
		}
		return nil, 0, fail(http.StatusBadRequest, api.CodeInvalidBody, "The request body could not be read completely.")
	}
	return f, n, nil
}

// uploadFailure maps the error of storing an upload: a full disk where the document files or
// the database live answers 507, as a full spool does; an invalid field names its query-string
// parameter.
func uploadFailure(err error) error {
	if eccs.IsNoSpace(err) {
		return insufficientStorage(err)
	}
	return queryFields(err, uploadParams...)
}

// insufficientStorage is the answer to an upload that found no room on the server's disk:
// 507 Insufficient Storage with code 5, and no Retry-After, since the disk stays full until
// someone frees space (doc/decisions.md). Nothing was stored. cause stays in the chain, for
// the log.
func insufficientStorage(cause error) error {
	return fmt.Errorf("%w: %w", fail(http.StatusInsufficientStorage, api.CodeServiceUnavailable,
		"The server has no disk space left to store this file, so nothing was stored; free space on the server (or ask its operator to), then send the file again."), cause)
}

// diskFull reports whether err is a write refused for want of room: a full file system or
// an exhausted quota.
func diskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

// removeSpool closes and removes a spooled upload.
func removeSpool(f *os.File) {
	f.Close()
	os.Remove(f.Name())
}
