package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/eccs/eccs/client"
)

// tokenFile is a client.TokenStore on a file of the user's cache directory, one per base URL
// and application (client id and secret), so that successive commands reuse one access token
// until it expires instead of each fetching its own (the token endpoint allows 50 requests a
// minute). It is readable by its owner only; a file others may read is ignored.
type tokenFile struct {
	path string
}

type tokenFileData struct {
	AccessToken string    `json:"accessToken"`
	Expiry      time.Time `json:"expiry"`
}

// cacheDir returns eccs's cache directory: $XDG_CACHE_HOME/eccs, else ~/.cache/eccs.
func cacheDir(getenv func(string) string) (string, error) {
	if x := getenv("XDG_CACHE_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "eccs"), nil
	}
	home := getenv("HOME")
	if home == "" {
		var err error
		if home, err = os.UserHomeDir(); err != nil {
			return "", err
		}
	}
	return filepath.Join(home, ".cache", "eccs"), nil
}

// tokenFileFor returns the token file of p's application; nil when the token cache is off
// (ECCS_NO_TOKEN_CACHE=1) or there is no cache directory.
func (a *app) tokenFileFor(p Profile) *tokenFile {
	if a.getenv("ECCS_NO_TOKEN_CACHE") == "1" {
		return nil
	}
	dir, err := cacheDir(a.getenv)
	if err != nil {
		return nil
	}
	sum := sha256.Sum256([]byte(p.BaseURL + "\n" + p.ClientID + "\n" + p.ClientSecret))
	return &tokenFile{path: filepath.Join(dir, "token-"+hex.EncodeToString(sum[:16])+".json")}
}

func (f *tokenFile) LoadToken(context.Context) (client.AccessToken, error) {
	file, err := os.Open(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return client.AccessToken{}, nil
	}
	if err != nil {
		return client.AccessToken{}, err
	}
	defer file.Close()
	if info, err := file.Stat(); err != nil || info.Mode().Perm()&0o077 != 0 {
		return client.AccessToken{}, fmt.Errorf("%s may be read by others: ignored", f.path)
	}
	var d tokenFileData
	if err := json.NewDecoder(file).Decode(&d); err != nil {
		return client.AccessToken{}, fmt.Errorf("%s: %w", f.path, err)
	}
	return client.AccessToken{Value: d.AccessToken, Expiry: d.Expiry}, nil
}

func (f *tokenFile) SaveToken(_ context.Context, t client.AccessToken) error {
	data, err := json.Marshal(tokenFileData{AccessToken: t.Value, Expiry: t.Expiry})
	if err != nil {
		return err
	}
	return writePrivate(f.path, data)
}

// remove deletes the cached token.
func (f *tokenFile) remove() error {
	if err := os.Remove(f.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
