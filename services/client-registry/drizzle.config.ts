import { defineConfig } from 'drizzle-kit';

// Only `drizzle-kit generate` uses this file: it diffs src/db/schema.ts against the committed
// migrations and writes the next SQL file. It never connects to a database.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './migrations',
});
