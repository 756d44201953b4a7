#!/usr/bin/env node
// The installed `tnc`: the program with nothing a user could trip by accident (no test hooks).
import { main } from './cli-main.js';

void main(process.argv.slice(2));
