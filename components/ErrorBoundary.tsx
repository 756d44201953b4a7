import { Component, type ReactNode } from 'react';

interface Props {
  onError(error: Error): void;
  children: ReactNode;
}

/**
 * Catches a rendering failure before Ink's own boundary would print its stack trace on the
 * screen; the owner turns it into a one-line message after the terminal is restored.
 */
export class ErrorBoundary extends Component<Props, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override componentDidCatch(error: Error): void {
    this.props.onError(error);
  }

  override render(): ReactNode {
    return this.state.failed ? null : this.props.children;
  }
}
