package models_test

import "github.com/alegria/privacy-portal/migrations"

func migrationsLatest() (int64, error) { return migrations.Latest() }
