package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/eccs/eccs/internal/eccs"
)

// keysFile is the on-disk form of the server's secret keys (base64). It lives outside the
// database: the database alone reveals no secret and forges no token. Every replica of a
// deployment needs the same file.
type keysFile struct {
	HashKey   string         `json:"hashKey"`
	TokenKeys []tokenKeyFile `json:"tokenKeys"`
}

type tokenKeyFile struct {
	ID     string `json:"id"`
	Secret string `json:"secret"`
}

// loadOrCreateKeys reads the keys file at path, creating it (mode 0600) with fresh random
// keys when it does not exist. created reports whether it did.
func loadOrCreateKeys(path string, random io.Reader) (keys eccs.Keys, created bool, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		keys, err = newKeys(random)
		if err != nil {
			return eccs.Keys{}, false, err
		}
		err = writeKeys(path, keys)
		if errors.Is(err, fs.ErrExist) {
			// Another process created the file first: use its keys.
			return loadOrCreateKeys(path, random)
		}
		return keys, err == nil, err
	}
	if err != nil {
		return eccs.Keys{}, false, fmt.Errorf("read keys: %w", err)
	}
	var kf keysFile
	if err := json.Unmarshal(data, &kf); err != nil {
		return eccs.Keys{}, false, fmt.Errorf("keys file %s is not valid JSON: %w", path, err)
	}
	keys.HashKey, err = base64.StdEncoding.DecodeString(kf.HashKey)
	if err != nil {
		return eccs.Keys{}, false, fmt.Errorf("keys file %s: hashKey is not base64", path)
	}
	for _, tk := range kf.TokenKeys {
		secret, err := base64.StdEncoding.DecodeString(tk.Secret)
		if err != nil {
			return eccs.Keys{}, false, fmt.Errorf("keys file %s: token key %q is not base64", path, tk.ID)
		}
		keys.TokenKeys = append(keys.TokenKeys, eccs.TokenKey{ID: tk.ID, Secret: secret})
	}
	if err := keys.Validate(); err != nil {
		return eccs.Keys{}, false, fmt.Errorf("keys file %s: %w", path, err)
	}
	return keys, false, nil
}

// newKeys makes a hash key and a token signing key from random. The signing key's id is
// written in every token, so it is random on its own: it reveals nothing of the key.
func newKeys(random io.Reader) (eccs.Keys, error) {
	hashKey := make([]byte, 32)
	tokenKey := make([]byte, 32)
	keyID := make([]byte, 6)
	for _, b := range [][]byte{hashKey, tokenKey, keyID} {
		if _, err := io.ReadFull(random, b); err != nil {
			return eccs.Keys{}, fmt.Errorf("generate keys: %w", err)
		}
	}
	id := fmt.Sprintf("k%x", keyID)
	return eccs.Keys{HashKey: hashKey, TokenKeys: []eccs.TokenKey{{ID: id, Secret: tokenKey}}}, nil
}

// writeKeys writes keys to path with mode 0600, atomically.
func writeKeys(path string, keys eccs.Keys) error {
	kf := keysFile{HashKey: base64.StdEncoding.EncodeToString(keys.HashKey)}
	for _, tk := range keys.TokenKeys {
		kf.TokenKeys = append(kf.TokenKeys, tokenKeyFile{ID: tk.ID, Secret: base64.StdEncoding.EncodeToString(tk.Secret)})
	}
	data, err := json.MarshalIndent(kf, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("write keys: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".keys-*")
	if err != nil {
		return fmt.Errorf("write keys: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write keys: %w", err)
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("write keys: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write keys: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write keys: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil { // never replaces keys already there
		return fmt.Errorf("write keys: %w", err)
	}
	return nil
}
