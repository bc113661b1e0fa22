// Fixture: throws while being imported.
throw new Error("refusing to load");
