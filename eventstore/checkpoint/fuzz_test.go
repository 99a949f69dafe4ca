package checkpoint_test

import (
	"crypto/rand"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/fairtrail/fairtrail/eventstore/checkpoint"
)

// FuzzOpen feeds checkpoints from outside (files, URLs, POST bodies) to Open and OtherSignatures: they never
// panic, and whatever Open accepts is a checkpoint of the key's origin whose body reads back the same.
func FuzzOpen(f *testing.F) {
	skey, vkey, _ := note.GenerateKey(rand.Reader, "fairtrail.test/log")
	signer, _ := note.NewSigner(skey)
	verifier, _ := note.NewVerifier(vkey)
	f.Add([]byte("fairtrail.test/log\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n— fairtrail.test/log AAAA\n"))
	f.Add([]byte("not a note"))
	signed, _ := note.Sign(&note.Note{Text: checkpoint.Checkpoint{Origin: "fairtrail.test/log", Size: 7}.Body()}, signer)
	f.Add(signed)
	f.Fuzz(func(t *testing.T, b []byte) {
		c, n, err := checkpoint.Open(b, verifier)
		if err != nil {
			return
		}
		if c.Origin != "fairtrail.test/log" || c.Size < 0 || !strings.HasPrefix(n.Text, c.Body()) {
			t.Fatalf("accepted %q as %+v", b, c)
		}
		_ = checkpoint.OtherSignatures(b, n, verifier)
	})
}
