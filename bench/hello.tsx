// The reference for start-up time: the smallest Ink app, started exactly like tnc.
import { Text, render } from 'ink';

render(<Text>Hello, world</Text>);
