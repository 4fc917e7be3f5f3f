import { Component, type ErrorInfo, type ReactNode, useEffect } from 'react';
import { useRouteError } from 'react-router';

import { ErrorState } from '@/components/ui/error-state';

import './error-boundary.css';

function reloadPage(): void {
  window.location.reload();
}

/** What a person sees when the app itself breaks: no stack trace, one way forward. */
export function CrashScreen() {
  return (
    <div className="crash-screen">
      <ErrorState
        title="Something went wrong"
        message="EAILI5 hit an unexpected problem. Reloading the page usually fixes it; your progress is saved on the server."
        actionLabel="Reload"
        onAction={reloadPage}
      />
    </div>
  );
}

/** Router-level fallback: a page threw while rendering. The error goes to the console, not the screen. */
export function RouteErrorScreen() {
  const error = useRouteError();
  useEffect(() => {
    console.error('A page failed to render', error);
  }, [error]);
  return <CrashScreen />;
}

interface State {
  failed: boolean;
}

/** Last line of defence around everything, including the router and providers. */
export class AppErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { failed: false };

  static getDerivedStateFromError(): State {
    return { failed: true };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('Unhandled error in the app', error, info.componentStack);
  }

  override render() {
    return this.state.failed ? <CrashScreen /> : this.props.children;
  }
}
