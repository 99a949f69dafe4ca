// Package enginebench compares, by benchmark, the storage engines the read model could be kept in on the
// insert pattern of its rebuild: per flag a row of about 750 bytes keyed by its place in listing order, and
// about six scope rows (scope, key) a scoped listing seeks through, plus the index of a worker's flags. It is
// a module of its own so that the engines it compares are not dependencies of fairtrail; run it with
//
//	cd projections/readmodel/enginebench && go test -bench . -benchtime 3x
//
// ENGINEBENCH_WORKERS sets how many workers' flags each writes (16 a worker; 2,000 by default), and
// ENGINEBENCH_PEBBLE_BULK (any value) tunes Pebble for a bulk load (pebbleOptions).
//
// The figures and the choice they support are in the README ("The persisted read model: the engine").
package enginebench
