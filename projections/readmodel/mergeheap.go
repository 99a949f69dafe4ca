package readmodel

import "container/heap"

// mergeHeap holds the cursors of a k-way merge of sorted runs (the rebuild's sorted rows, an as-of listing's
// flag runs), the one at the smallest item first. less orders two cursors by their current items and breaks
// ties by the cursors' own order, which is what makes a merge stable where it needs to be.
type mergeHeap[T any] struct {
	items []T
	less  func(a, b T) bool
}

// newMergeHeap returns a heap of the cursors that have an item, ordered by less.
func newMergeHeap[T any](cursors []T, less func(a, b T) bool) *mergeHeap[T] {
	h := &mergeHeap[T]{items: cursors, less: less}
	heap.Init(h)
	return h
}

// head is the cursor at the smallest item; the heap must not be empty.
func (h *mergeHeap[T]) head() T { return h.items[0] }

// advance puts the head back in its place once it moved to its next item (more), or drops it at the end of
// its run.
func (h *mergeHeap[T]) advance(more bool) {
	if more {
		heap.Fix(h, 0)
	} else {
		heap.Pop(h)
	}
}

// Len, Less, Swap, Push and Pop are container/heap's interface.
func (h *mergeHeap[T]) Len() int           { return len(h.items) }
func (h *mergeHeap[T]) Less(i, j int) bool { return h.less(h.items[i], h.items[j]) }
func (h *mergeHeap[T]) Swap(i, j int)      { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *mergeHeap[T]) Push(x any)         { h.items = append(h.items, x.(T)) }
func (h *mergeHeap[T]) Pop() any {
	last := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return last
}
