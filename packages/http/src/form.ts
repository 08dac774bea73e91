/**
 * A parsed `application/x-www-form-urlencoded` body: repeated names are arrays, for the form schemas
 * (formSchema) to refuse (RFC 6749 §3.2).
 */
export type FormBody = Readonly<Record<string, string | string[] | undefined>>;
