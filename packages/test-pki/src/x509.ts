// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata API to exist
// before the library is evaluated. ES modules evaluate imports in order, so this module is the only
// place that imports the library, right after the polyfill.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto);

export { x509 };
