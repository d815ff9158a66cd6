package web

import (
	"archive/zip"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/eccs/eccs/internal/eccs"
)

// handleArchive is GET /documents/archive?period=YYYYMM[&type=…]: one ZIP of the period's
// documents across every contract the account sees, each as its role allows. The archive is
// written while it is sent, one file after the other, never held in memory; a failure once it
// has started cuts the connection, so that a truncated archive is never taken for a whole one.
func (s *server) handleArchive(q *request) error {
	f, types, err := readFilter(q)
	if err != nil {
		return err
	}
	if f.Period == "" {
		return &pageError{status: http.StatusBadRequest, message: "documents.archive_needs_period"}
	}
	h := q.w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", `attachment; filename="documents-`+f.Period+`.zip"`)
	h.Set("Cache-Control", "private, no-store")
	zw := zip.NewWriter(q.w)
	names := map[string]bool{}
	started := false
	_, err = s.eachReader(q, func(r eccs.DocumentReader) error {
		docs, _, err := s.svc.DocumentsOfPeriod(q.ctx, r, types, f.Period, eccs.Page{})
		if err != nil {
			return err
		}
		for _, d := range docs {
			started = true
			if err := s.addToArchive(q, zw, r, d, names); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		err = zw.Close()
	}
	if err != nil && !started {
		h.Del("Content-Disposition")
		return err
	}
	if err != nil {
		s.logger.Error("web archive failed", "error", err.Error())
		panic(http.ErrAbortHandler)
	}
	return nil
}

// addToArchive copies one document into the archive under a safe, unique name.
func (s *server) addToArchive(q *request, zw *zip.Writer, r eccs.DocumentReader, d eccs.Document, names map[string]bool) error {
	_, blob, err := s.svc.OpenDocument(q.ctx, r, d.ID)
	if err != nil {
		return err
	}
	defer blob.Close()
	name := archiveName(d, names)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: d.UpdatedAt.UTC()})
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, blob); err != nil {
		return fmt.Errorf("archive document %s: %w", d.ID, err)
	}
	return nil
}

// archiveName is "<contract>/<file name>" with every character but A-Z a-z 0-9 . _ - made
// '_', no leading dot, and a number added when the name was taken: no name can climb out of
// the folder it is extracted in, nor overwrite another.
func archiveName(d eccs.Document, taken map[string]bool) string {
	safe := func(s string) string {
		s = strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-' {
				return r
			}
			return '_'
		}, s)
		s = strings.TrimLeft(s, ".")
		if s == "" {
			s = "_"
		}
		return s
	}
	base := safe(d.ContractID) + "/" + safe(d.Filename)
	name := base
	for i := 2; taken[name]; i++ {
		name = fmt.Sprintf("%s-%d", base, i)
	}
	taken[name] = true
	return name
}
