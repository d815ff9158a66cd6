package testenv

import (
	"io"

	"github.com/eccs/eccs/internal/docformat"
	"github.com/eccs/eccs/internal/eccs"
)

// AnyFormats is an eccs.Formats that accepts any file and names media types and extensions
// as docformat does. It is for tests about storing and serving bytes, whose content is not a
// billing document; tests of uploads use docformat.Formats.
type AnyFormats struct{}

// Check accepts every file.
func (AnyFormats) Check(eccs.DocumentType, io.ReaderAt, int64) error { return nil }

// ContentType is docformat's.
func (AnyFormats) ContentType(t eccs.DocumentType) string { return docformat.Formats{}.ContentType(t) }

// Extension is docformat's.
func (AnyFormats) Extension(t eccs.DocumentType) string { return docformat.Formats{}.Extension(t) }
