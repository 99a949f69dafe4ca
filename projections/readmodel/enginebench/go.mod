module github.com/fairtrail/fairtrail/projections/readmodel/enginebench

go 1.26

require (
	github.com/mattn/go-sqlite3 v1.14.32
	go.etcd.io/bbolt v1.5.0
)

require golang.org/x/sys v0.45.0 // indirect
