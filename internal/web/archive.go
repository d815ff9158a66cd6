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
	started, err := s.writeArchive(q, zw, types, f.Period)
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

// archiveBatch is how many documents the archive lists at a time.
const archiveBatch = 100

// writeArchive adds the documents of period across the account's contracts to zw, listed
// archiveBatch at a time, and reports whether it had begun writing when it failed. A
// document listed twice (the list moved between two batches) is written once.
func (s *server) writeArchive(q *request, zw *zip.Writer, types []eccs.DocumentType, period string) (started bool, err error) {
	names, written := map[string]bool{}, map[string]bool{}
	readers := map[string]*eccs.DocumentReader{}
	for offset := 0; ; offset += archiveBatch {
		docs, _, err := s.svc.AccountDocuments(q.ctx, q.session.Account, types, period, eccs.Page{Offset: offset, Limit: archiveBatch})
		if err != nil {
			return started, err
		}
		for _, d := range docs {
			r, err := s.archiveReader(q, readers, d.ContractID)
			if err != nil {
				return started, err
			}
			if r == nil || written[d.ID] {
				continue
			}
			started, written[d.ID] = true, true
			if err := s.addToArchive(q, zw, *r, d, names); err != nil {
				return started, err
			}
		}
		if len(docs) < archiveBatch {
			return started, nil
		}
	}
}

// archiveReader returns the document reader of a contract of the account, from readers or
// checked and kept there; nil when the account no longer sees the contract or its documents
// (changed since the list was read).
func (s *server) archiveReader(q *request, readers map[string]*eccs.DocumentReader, contractID string) (*eccs.DocumentReader, error) {
	if r, ok := readers[contractID]; ok {
		return r, nil
	}
	a, err := s.svc.ContractAccess(q.ctx, q.session.Account, contractID)
	if eccs.ErrorCode(err) == eccs.Forbidden {
		readers[contractID] = nil
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	r, err := eccs.MayReadDocuments(a)
	if err != nil {
		readers[contractID] = nil
		return nil, nil
	}
	readers[contractID] = &r
	return &r, nil
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
