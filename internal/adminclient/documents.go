package adminclient

import (
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"time"

	"github.com/eccs/eccs/api/admin"
)

// Documents returns a page of a contract's documents, newest first (GET
// /contracts/{id}/documents). Errors: 404.
func (c *Client) Documents(ctx context.Context, contractID string, p Page) (admin.List[admin.Document], error) {
	q := url.Values{}
	p.set(q)
	var out admin.List[admin.Document]
	return out, c.call(ctx, http.MethodGet, "/contracts/"+seg(contractID)+"/documents", q, nil, http.StatusOK, &out)
}

// DocumentMeta describes an uploaded document. Amount is a decimal with at most two decimals
// and a '.' ("1234.56"), kept as text so that no rounding creeps in. ID, Filename and
// CreatedAt are optional (the server makes an id, and names the file after the contract,
// period and type).
type DocumentMeta struct {
	ID        string // 1 to 64 of A-Za-z0-9._-: documents loaded from another system may keep their ids
	Type      string
	Period    string // YYYYMM
	Amount    string
	Currency  string
	Filename  string
	CreatedAt time.Time // for documents loaded from another system
}

// UploadDocument adds a document to a contract (POST /contracts/{id}/documents), streaming
// the file from r; the length is sent when r tells it (a file, a bytes or strings reader).
// Errors: 400/24 with the format checker's reason for a file that breaks its type's format,
// 400/27 or 400/28 for missing or bad metadata, 404 for an unknown contract, 409 when
// meta.ID is taken, 413 for a file over the server's limit.
func (c *Client) UploadDocument(ctx context.Context, contractID string, meta DocumentMeta, r io.Reader) (admin.Document, error) {
	q := url.Values{}
	if meta.ID != "" {
		q.Set("id", meta.ID)
	}
	q.Set("type", meta.Type)
	q.Set("period", meta.Period)
	q.Set("amount", meta.Amount)
	q.Set("currency", meta.Currency)
	if meta.Filename != "" {
		q.Set("filename", meta.Filename)
	}
	if !meta.CreatedAt.IsZero() {
		q.Set("createdAt", meta.CreatedAt.UTC().Format(time.RFC3339))
	}
	var out admin.Document
	return out, c.upload(ctx, http.MethodPost, "/contracts/"+seg(contractID)+"/documents", q, r, http.StatusCreated, &out)
}

// DocumentChange is the optional new metadata of a replaced document; empty fields are left
// as they are.
type DocumentChange struct {
	Period   string
	Amount   string
	Currency string
	Filename string
}

// ReplaceDocument replaces a document's bytes, streamed from r, and optionally its metadata
// (PUT /contracts/{id}/documents/{documentId}/file). Errors: as UploadDocument.
func (c *Client) ReplaceDocument(ctx context.Context, contractID, documentID string, change DocumentChange, r io.Reader) (admin.Document, error) {
	q := url.Values{}
	for name, v := range map[string]string{"period": change.Period, "amount": change.Amount, "currency": change.Currency, "filename": change.Filename} {
		if v != "" {
			q.Set(name, v)
		}
	}
	var out admin.Document
	return out, c.upload(ctx, http.MethodPut, "/contracts/"+seg(contractID)+"/documents/"+seg(documentID)+"/file", q, r, http.StatusOK, &out)
}

func (c *Client) upload(ctx context.Context, method, path string, q url.Values, r io.Reader, want int, out any) error {
	if r == nil {
		return fmt.Errorf("%s %s: no file to send", method, path)
	}
	resp, err := c.do(ctx, request{method: method, path: path, query: q, body: r, contentType: "application/octet-stream", length: bodyLength(r), want: want})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return decodeJSON(method, path, resp.Body, out)
}

// DeleteDocument deletes a document (DELETE /contracts/{id}/documents/{documentId}). Errors:
// 404.
func (c *Client) DeleteDocument(ctx context.Context, contractID, documentID string) error {
	return c.call(ctx, http.MethodDelete, "/contracts/"+seg(contractID)+"/documents/"+seg(documentID), nil, nil, http.StatusNoContent, nil)
}

// DocumentFile is a document's bytes being downloaded; the caller closes Body.
type DocumentFile struct {
	Filename    string // from Content-Disposition; "" when the server named none
	ContentType string
	Size        int64 // -1 when unknown
	Body        io.ReadCloser
}

// OpenDocument starts the download of a document's bytes (GET
// /contracts/{id}/documents/{documentId}/file). Errors: 404.
func (c *Client) OpenDocument(ctx context.Context, contractID, documentID string) (*DocumentFile, error) {
	resp, err := c.do(ctx, request{method: http.MethodGet, path: "/contracts/" + seg(contractID) + "/documents/" + seg(documentID) + "/file", accept: "*/*", want: http.StatusOK})
	if err != nil {
		return nil, err
	}
	f := &DocumentFile{ContentType: resp.Header.Get("Content-Type"), Size: resp.ContentLength, Body: resp.Body}
	if _, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition")); err == nil {
		f.Filename = params["filename"]
	}
	return f, nil
}
