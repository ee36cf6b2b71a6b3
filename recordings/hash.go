package recordings

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
)

// HashFile returns the SHA-256 of the file at path in lower-case hex, to check a finished recording
// against the checksum stored when it was written.
func HashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("hash recording: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash recording %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
