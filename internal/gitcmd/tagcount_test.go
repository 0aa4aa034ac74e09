package gitcmd

import "testing"

// The hint counts the tags packed-refs holds (not their peeled lines),
// with room for a few loose ones; 0 without packed-refs.
func TestTagCountHint(t *testing.T) {
	t.Parallel()
	g, _ := manyTagsFixture.Copy(t)
	b := openBatch(t, openTest(t, g, g.Dir))
	tags := manyTags + 1 // and big@v1
	if got, most := b.TagCountHint(), tags+tags/32+64+8; got < tags || got > most {
		t.Errorf("TagCountHint = %d, want %d to %d", got, tags, most)
	}

	g2, r2 := newTestRepo(t)
	c := g2.Commit("first", nil)
	g2.Tag("m@v1.0.0", c, "loose")
	if got := openBatch(t, r2).TagCountHint(); got != 0 {
		t.Errorf("TagCountHint without packed-refs = %d, want 0", got)
	}
}
