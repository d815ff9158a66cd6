package web

import (
	"compress/gzip"
	"net/http"
	"strings"
	"sync"
)

// Pages and stylesheets are sent gzip-compressed to browsers that accept it: a page of a
// hundred rows shrinks about fivefold. Document files are left as they are: most are
// compressed formats already, and downloads keep their exact bytes and their ranges.

// compressible reports whether answers of contentType are compressed.
func compressible(contentType string) bool {
	return strings.HasPrefix(contentType, "text/html") || strings.HasPrefix(contentType, "text/css")
}

// acceptsGzip reports whether the request's Accept-Encoding lists gzip without refusing it
// (q=0).
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			q := strings.ReplaceAll(params, " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}

var gzipWriters = sync.Pool{New: func() any { return gzip.NewWriter(nil) }}

// gzipWriter compresses the answer when, at its first write or WriteHeader, its content type
// is compressible and it has a body. Close must be called once the handler returns.
type gzipWriter struct {
	http.ResponseWriter
	decided bool
	gz      *gzip.Writer // nil: not compressed
}

func (w *gzipWriter) WriteHeader(status int) {
	if !w.decided {
		w.decided = true
		h := w.Header()
		if compressible(h.Get("Content-Type")) && h.Get("Content-Encoding") == "" &&
			status != http.StatusNoContent && status != http.StatusNotModified {
			h.Del("Content-Length")
			h.Set("Content-Encoding", "gzip")
			w.gz = gzipWriters.Get().(*gzip.Writer)
			w.gz.Reset(w.ResponseWriter)
		}
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *gzipWriter) Write(b []byte) (int, error) {
	if !w.decided {
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", http.DetectContentType(b))
		}
		w.WriteHeader(http.StatusOK)
	}
	if w.gz != nil {
		return w.gz.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

// Close ends the compressed stream, if any.
func (w *gzipWriter) Close() error {
	if w.gz == nil {
		return nil
	}
	err := w.gz.Close()
	gzipWriters.Put(w.gz)
	w.gz = nil
	return err
}

func (w *gzipWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
