package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"net/http"
	"strconv"
)

//go:embed assets/site.css assets/passkey.js
var assetFiles embed.FS

// asset is a file the pages use, served from memory.
type asset struct {
	data        []byte
	contentType string
	etag        string
	version     string // a digest of data: the v= of versioned URLs
}

// assetSet holds the assets by name: the stylesheet, the brand's colours, its logo.
type assetSet map[string]asset

// loadAssets makes the assets: site.css, brand.css (the accent colour, as a stylesheet since
// the policy forbids inline style) and, for a logo file, logo.
func loadAssets(b Brand) (assetSet, error) {
	site, err := assetFiles.ReadFile("assets/site.css")
	if err != nil {
		return nil, err
	}
	set := assetSet{}
	set.add("site.css", site, "text/css; charset=utf-8")
	script, err := assetFiles.ReadFile("assets/passkey.js")
	if err != nil {
		return nil, err
	}
	set.add("passkey.js", script, "text/javascript; charset=utf-8")
	set.add("brand.css", []byte(":root { --accent: "+b.Accent+"; }\n"), "text/css; charset=utf-8")
	if b.Logo != "" && !isRemoteLogo(b.Logo) {
		data, typ, err := readLogo(b.Logo)
		if err != nil {
			return nil, err
		}
		set.add("logo", data, typ)
	}
	return set, nil
}

func (set assetSet) add(name string, data []byte, contentType string) {
	sum := sha256.Sum256(data)
	version := hex.EncodeToString(sum[:8])
	set[name] = asset{data: data, contentType: contentType, etag: `"` + version + `"`, version: version}
}

// url is the versioned URL of asset name, which changes with its content: pages link to it,
// and browsers keep it for a year without asking again.
func (set assetSet) url(name string) string {
	return "/assets/" + name + "?v=" + set[name].version
}

// handleAsset serves an asset. Asked for by its versioned URL it is cached for a year as
// immutable (a new content gets a new URL); otherwise for a day, revalidated by its ETag.
func (s *server) handleAsset(w http.ResponseWriter, r *http.Request) {
	a, ok := s.assets[r.PathValue("name")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	if r.URL.Query().Get("v") == a.version {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, max-age=86400")
	}
	h.Set("ETag", a.etag)
	if r.Header.Get("If-None-Match") == a.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(a.data)))
	w.Write(a.data)
}

// LogoURL is where the page header takes the brand's logo from; "" without one.
func (b Brand) LogoURL() string {
	switch {
	case b.Logo == "":
		return ""
	case isRemoteLogo(b.Logo):
		return b.Logo
	}
	return "/assets/logo"
}
