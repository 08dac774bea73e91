import { defineConfig } from 'drizzle-kit';

// Only `drizzle-kit generate` reads this file: it diffs src/schema.ts against the committed migrations
// and writes the next SQL file. It never connects to a database.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/schema.ts',
  out: './migrations',
});
