package web

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

//go:embed templates/*.html
var templateFiles embed.FS

// pages holds one template per page, each with the layout.
type pages struct {
	byName map[string]*template.Template
}

// loadPages parses every page with the layout.
func loadPages() (*pages, error) {
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, file := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(file, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.New("layout.html").ParseFS(templateFiles, "templates/layout.html", file)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		p.byName[name] = t
	}
	return p, nil
}

// request is one request to a page: the writer, the request, the language and, on pages that
// need one, the signed-in session.
type request struct {
	w       http.ResponseWriter
	r       *http.Request
	ctx     context.Context
	lang    Lang
	session *Session
}

func (s *server) newRequest(w http.ResponseWriter, r *http.Request) *request {
	return &request{w: w, r: r, ctx: r.Context(), lang: chooseLang(r)}
}

// handler serves a page; its error is rendered by renderError.
type handler func(q *request) error

// view is what every template gets: the page's own data, and what the layout needs.
type view struct {
	Lang    Lang
	Brand   Brand
	Title   string // a catalogue key
	Nav     string // the navigation entry of the page
	Path    string // the request's path and query, for the language switch to come back to
	Session *Session
	Errors  map[string]string // form field → message, on a form shown again
	Form    url.Values        // what the form held, on a form shown again
	Data    any
	assets  assetSet
}

// Asset is the versioned URL of the asset name (site.css, brand.css).
func (v view) Asset(name string) string { return v.assets.url(name) }

// T returns the string of key in the page's language.
func (v view) T(key string) string { return v.Lang.T(key) }

// Date, DateTime, Month and Money write values as the page's language does.
func (v view) Date(t time.Time) string                   { return v.Lang.Date(t) }
func (v view) DateTime(t time.Time) string               { return v.Lang.DateTime(t) }
func (v view) Month(period string) string                { return v.Lang.Month(period) }
func (v view) Money(cents int64, currency string) string { return v.Lang.Money(cents, currency) }
func (v view) Bytes(n int64) string                      { return v.Lang.Bytes(n) }

// Role names a role in the page's language.
func (v view) Role(r eccs.Role) string {
	switch r {
	case eccs.RoleVisitor:
		return v.T("role.visitor")
	case eccs.RoleManager:
		return v.T("role.manager")
	}
	return v.T("role.none")
}

// DocType names a document type in the page's language.
func (v view) DocType(t eccs.DocumentType) string { return v.T("doctype." + string(t)) }

// FormValue is what field held on a form shown again.
func (v view) FormValue(field string) string { return v.Form.Get(field) }

// render writes page name with status.
func (s *server) render(q *request, status int, name string, v view) {
	v.Lang, v.Brand, v.Session, v.assets = q.lang, s.cfg.Brand, q.session, s.assets
	v.Path = q.r.URL.RequestURI()
	t, ok := s.pages.byName[name]
	if !ok {
		s.fail(q, fmt.Errorf("no template %q", name))
		return
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		s.fail(q, fmt.Errorf("render %s: %w", name, err))
		return
	}
	h := q.w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", string(q.lang))
	h.Set("Cache-Control", "no-store")
	h.Add("Vary", "Accept-Language, Cookie")
	q.w.WriteHeader(status)
	q.w.Write(buf.Bytes())
}

// fail logs an internal failure and answers the plain 500 page.
func (s *server) fail(q *request, err error) {
	s.logger.LogAttrs(q.ctx, slog.LevelError, "web page failed", slog.String("path", q.r.URL.Path), slog.String("error", err.Error()))
	q.w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	q.w.WriteHeader(http.StatusInternalServerError)
	q.w.Write([]byte(q.lang.T("error.internal") + "\n"))
}

// pageError is an error a page answers with: a status and a catalogue key saying what went
// wrong, and, for a form shown again, its page, values and the message of each field at fault.
type pageError struct {
	status  int
	message string // catalogue key
	detail  string // the domain's own sentence, when it helps
	form    *formAgain
}

func (e *pageError) Error() string { return e.message }

// formAgain is a form shown again with what was wrong.
type formAgain struct {
	page   string
	nav    string
	title  string
	values url.Values
	errors map[string]string
	data   any
}

var errNotFound = &pageError{status: http.StatusNotFound, message: "error.not_found"}

// renderError writes err as a page: a form shown again for a bad form, the 404, 403, 503 or
// 500 page otherwise. Domain errors are mapped by code; a Forbidden that ContractAccess gives
// (an unknown contract or another customer's) never reaches here as 403: handlers turn it into
// errNotFound.
func (s *server) renderError(q *request, err error) {
	var pe *pageError
	if !errors.As(err, &pe) {
		pe = domainPageError(err)
	}
	if pe == nil {
		s.fail(q, err)
		return
	}
	if pe.form != nil {
		f := pe.form
		s.render(q, pe.status, f.page, view{Title: f.title, Nav: f.nav, Form: f.values, Errors: f.errors, Data: f.data})
		return
	}
	s.render(q, pe.status, "error", view{Title: "error.title", Data: pe})
}

// domainPageError maps a domain error to a page error; nil for an internal failure.
func domainPageError(err error) *pageError {
	detail := ""
	var e *eccs.Error
	if errors.As(err, &e) {
		detail = e.Message
	}
	switch eccs.ErrorCode(err) {
	case eccs.NotFound:
		return errNotFound
	case eccs.Forbidden:
		return &pageError{status: http.StatusForbidden, message: "error.forbidden", detail: detail}
	case eccs.Invalid:
		return &pageError{status: http.StatusBadRequest, message: "error.invalid", detail: detail}
	case eccs.Conflict:
		return &pageError{status: http.StatusConflict, message: "error.conflict", detail: detail}
	case eccs.Unavailable:
		return &pageError{status: http.StatusServiceUnavailable, message: "error.unavailable"}
	}
	return nil
}

// Status, Message and Detail are what the error page shows.
func (e *pageError) Status() int     { return e.status }
func (e *pageError) Message() string { return e.message }
func (e *pageError) Detail() string  { return e.detail }

// invalidForm returns the form shown again for a domain error: Invalid errors put their
// sentence next to their field (or above the form when it names none); other errors are
// returned as they are.
func invalidForm(err error, f formAgain) error {
	var e *eccs.Error
	if !errors.As(err, &e) || (e.Code != eccs.Invalid && e.Code != eccs.Conflict) {
		return err
	}
	field := e.Field
	if field == "" {
		field = "_form"
	}
	f.errors = map[string]string{field: e.Message}
	status := http.StatusBadRequest
	if e.Code == eccs.Conflict {
		status = http.StatusConflict
	}
	return &pageError{status: status, message: "error.invalid", form: &f}
}
