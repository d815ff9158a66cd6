package web

import (
	"encoding/base64"
	"encoding/hex"
	"mime"
	"net/http"
	"net/url"
	"strconv"

	"github.com/eccs/eccs/internal/eccs"
)

// documentsPageSize is the number of documents a contract's page of documents lists.
const documentsPageSize = 50

// documentFilter is what the documents pages are filtered by.
type documentFilter struct {
	Type   string // "" for every type
	Period string // YYYYMM, "" for every period
}

// listedDocument is a document with the contract it belongs to.
type listedDocument struct {
	eccs.Document
	Previewable bool
}

// documentList is the data of the documents pages.
type documentList struct {
	Contract   *eccs.Contract // nil across contracts
	Documents  []listedDocument
	Filter     documentFilter
	Types      []eccs.DocumentType
	Total      int
	Page       int
	Pages      int
	PrevURL    string
	NextURL    string
	ArchiveURL string
}

// readFilter reads and checks the type and period of a documents page.
func readFilter(q *request) (documentFilter, []eccs.DocumentType, error) {
	v := q.r.URL.Query()
	f := documentFilter{Type: v.Get("type"), Period: v.Get("period")}
	var types []eccs.DocumentType
	bad := map[string]string{}
	if f.Type != "" {
		t, ok := eccs.ParseDocumentType(f.Type)
		if !ok {
			bad["type"] = q.lang.T("documents.bad_type")
		}
		types = []eccs.DocumentType{t}
	}
	if f.Period != "" && !eccs.ValidPeriod(f.Period) {
		bad["period"] = q.lang.T("documents.bad_period")
	}
	if len(bad) > 0 {
		return f, nil, &pageError{status: http.StatusBadRequest, message: "error.invalid", form: &formAgain{
			page: "documents", nav: "documents", title: "documents.title", values: url.Values{"type": {f.Type}, "period": {f.Period}},
			errors: bad, data: documentList{Filter: f, Types: eccs.DocumentTypes, Page: 1, Pages: 1}}}
	}
	return f, types, nil
}

// handleContractDocuments is GET /contracts/{id}/documents: a contract's documents that the
// role allows, newest first, filtered by type and period.
func (s *server) handleContractDocuments(q *request) error {
	a, err := s.access(q, q.r.PathValue("id"))
	if err != nil {
		return err
	}
	reader, err := eccs.MayReadDocuments(a)
	if err != nil {
		return err
	}
	f, types, err := readFilter(q)
	if err != nil {
		return err
	}
	page := pageNumber(q.r.URL.Query().Get("page"))
	docs, total, err := s.svc.DocumentsOfPeriod(q.ctx, reader, types, f.Period, eccs.Page{Offset: (page - 1) * documentsPageSize, Limit: documentsPageSize})
	if err != nil {
		return err
	}
	c := a.Contract()
	data := documentList{Contract: &c, Documents: listed(docs), Filter: f, Types: eccs.VisibleDocumentTypes(a.Roles().Documents),
		Total: total, Page: page, Pages: max(1, (total+documentsPageSize-1)/documentsPageSize)}
	link := func(p int) string {
		return "/contracts/" + url.PathEscape(c.ID) + "/documents?" + filterQuery(f, p).Encode()
	}
	if page > 1 {
		data.PrevURL = link(page - 1)
	}
	if page < data.Pages {
		data.NextURL = link(page + 1)
	}
	s.render(q, http.StatusOK, "documents", view{Title: "documents.title", Nav: "documents", Form: filterQuery(f, 0), Data: data})
	return nil
}

func filterQuery(f documentFilter, page int) url.Values {
	v := url.Values{}
	if f.Type != "" {
		v.Set("type", f.Type)
	}
	if f.Period != "" {
		v.Set("period", f.Period)
	}
	if page > 0 {
		v.Set("page", strconv.Itoa(page))
	}
	return v
}

func listed(docs []eccs.Document) []listedDocument {
	out := make([]listedDocument, len(docs))
	for i, d := range docs {
		out[i] = listedDocument{Document: d, Previewable: previewable(d.Type)}
	}
	return out
}

// handleAllDocuments is GET /documents: the documents of every contract the account sees
// (of one period: the previous month unless another is chosen), each as its contract's role
// allows, newest first, a page at a time.
func (s *server) handleAllDocuments(q *request) error {
	f, types, err := readFilter(q)
	if err != nil {
		return err
	}
	if f.Period == "" {
		f.Period = s.cfg.Now().UTC().AddDate(0, -1, 0).Format("200601")
	}
	page := pageNumber(q.r.URL.Query().Get("page"))
	docs, total, err := s.svc.AccountDocuments(q.ctx, q.session.Account, types, f.Period, eccs.Page{Offset: (page - 1) * documentsPageSize, Limit: documentsPageSize})
	if err != nil {
		return err
	}
	data := documentList{Documents: listed(docs), Filter: f, Types: eccs.DocumentTypes, Total: total, Page: page,
		Pages: max(1, (total+documentsPageSize-1)/documentsPageSize), ArchiveURL: "/documents/archive?" + filterQuery(f, 0).Encode()}
	if page > 1 {
		data.PrevURL = "/documents?" + filterQuery(f, page-1).Encode()
	}
	if page < data.Pages {
		data.NextURL = "/documents?" + filterQuery(f, page+1).Encode()
	}
	s.render(q, http.StatusOK, "documents", view{Title: "documents.all_title", Nav: "documents", Form: filterQuery(f, 0), Data: data})
	return nil
}

// handleDocumentFile is GET /contracts/{id}/documents/{doc}/file: the document's bytes, with
// the headers the API serves them with (type, name, strong ETag, digest, ranges).
func (s *server) handleDocumentFile(q *request) error {
	d, blob, err := s.openDocument(q)
	if err != nil {
		return err
	}
	defer blob.Close()
	h := q.w.Header()
	h.Set("Cache-Control", "private, no-cache")
	h.Set("Content-Type", d.ContentType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": d.Filename}))
	h.Set("ETag", `"`+d.SHA256+`"`)
	if sum, err := hex.DecodeString(d.SHA256); err == nil {
		h.Set("Repr-Digest", "sha-256=:"+base64.StdEncoding.EncodeToString(sum)+":")
	}
	http.ServeContent(q.w, q.r, "", d.UpdatedAt, blob)
	return nil
}

// openDocument opens the document of the path, once documentReader allowed it; the caller
// closes the blob.
func (s *server) openDocument(q *request) (eccs.Document, eccs.Blob, error) {
	reader, err := s.documentReader(q)
	if err != nil {
		return eccs.Document{}, nil, err
	}
	return s.svc.OpenDocument(q.ctx, reader, q.r.PathValue("doc"))
}

// documentReader checks the contract of the path and the role on its documents.
func (s *server) documentReader(q *request) (eccs.DocumentReader, error) {
	a, err := s.access(q, q.r.PathValue("id"))
	if err != nil {
		return eccs.DocumentReader{}, err
	}
	r, err := eccs.MayReadDocuments(a)
	if err != nil {
		// The documents of a visible contract are a section the role does not reach: a
		// document URL there answers like an unknown document.
		return eccs.DocumentReader{}, errNotFound
	}
	return r, nil
}
