package progress

import (
	"encoding/json"
	"os"
	"testing"
)

// Whatever the progress file holds, reading it never panics, and saving a
// change over it leaves a file this version can read back.
func FuzzProgressFile(f *testing.F) {
	f.Add([]byte(`{"version": 1, "lessons": {"spawn": {"read": "2026-01-01T00:00:00Z"}}}`))
	f.Add([]byte(`{"version": 99}`))
	f.Add([]byte(`{"version": 1, "lessons": {"x": null}}`))
	f.Add([]byte(`{"version": 1, "lessons": {"x": {"ran": {"": "bad time"}}}}`))
	f.Add([]byte(``))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s := &Store{Dir: t.TempDir()}
		if err := os.WriteFile(s.Path(), data, 0o644); err != nil {
			t.Fatal(err)
		}
		p, _, err := s.Load()
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		p.State("spawn", true)
		if _, err := s.Update(MarkRead("spawn", now)); err != nil {
			t.Fatalf("Update: %v", err)
		}
		after, _ := os.ReadFile(s.Path())
		var probe struct{ Version int }
		if json.Unmarshal(after, &probe) != nil {
			t.Fatalf("after an update the file does not parse: %q", after)
		}
		if probe.Version > Version {
			return // a newer version's file is left alone
		}
		if p2, n, err := s.Load(); err != nil || n != nil || p2.Lessons["spawn"] == nil {
			t.Errorf("after an update: %v, %v, %v", p2, n, err)
		}
	})
}
