package projections

import (
	"slices"
	"testing"
)

// TestJudgementCacheKeepsWhatNoEventChanged: drop forgets the named workers, dropAll every one, and a
// judgement made before a dropAll is stale even when put after it.
func TestJudgementCacheKeepsWhatNoEventChanged(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		steps func(c *judgementCache)
		held  []string // the workers of w-1, w-2, w-3 whose judgement is current after the steps
	}{
		{"judgements put are held", func(*judgementCache) {}, []string{"w-1", "w-2", "w-3"}},
		{"a worker's event drops its judgement only", func(c *judgementCache) { c.drop("w-2") }, []string{"w-1", "w-3"}},
		{"a job order's event drops its workers'", func(c *judgementCache) { c.drop("w-1", "w-3") }, []string{"w-2"}},
		{"a policy drops every judgement", func(c *judgementCache) { c.dropAll() }, nil},
		{"a judgement made before a dropAll stays stale", func(c *judgementCache) {
			_, gen := c.get("w-1")
			c.dropAll()
			c.put("w-1", &judgement{}, gen)
		}, nil},
		{"judged again after a dropAll", func(c *judgementCache) {
			c.dropAll()
			_, gen := c.get("w-1")
			c.put("w-1", &judgement{}, gen)
		}, []string{"w-1"}},
	}
	all := []string{"w-1", "w-2", "w-3"}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newJudgementCache()
			for _, id := range all {
				_, gen := c.get(id)
				c.put(id, &judgement{}, gen)
			}
			tc.steps(c)
			var held []string
			for _, id := range all {
				if j, _ := c.get(id); j != nil {
					held = append(held, id)
				}
			}
			if !slices.Equal(held, tc.held) {
				t.Errorf("held %v, want %v", held, tc.held)
			}
			missing := slices.DeleteFunc(slices.Clone(all), func(id string) bool { return slices.Contains(tc.held, id) })
			if got := c.missing(all); !slices.Equal(got, missing) && len(got)+len(missing) > 0 {
				t.Errorf("missing %v, want %v", got, missing)
			}
			if got, want := c.holdsAll(len(all)), len(tc.held) == len(all); got != want {
				t.Errorf("holdsAll = %v, want %v", got, want)
			}
		})
	}
}
