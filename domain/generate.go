package domain

//go:generate go run ./internal/isogen -out isocodes.go
