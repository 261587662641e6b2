import type { ScopedVars, TimeRange, TypedVariableModel } from '@grafana/data';
import type { TemplateSrv } from '@grafana/runtime';

// Grafana's variable syntax: $name, [[name:format]], ${name.path:format}.
const VARIABLE_REGEX = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\${(\w+)(?:\.([^:^}]+))?(?::([^}]+))?}/g;

type Formatter = (value: unknown, variable?: { name: string }) => string;

/**
 * Stands in for Grafana's TemplateSrv, which lives in Grafana itself, not in @grafana/runtime.
 * It follows its rules where this plugin depends on them: the variable regex, scoped variables
 * before dashboard variables, unknown variables left as they are, a format function called
 * with (value, variable), multi values as arrays, and glob format `{a,b}` by default.
 */
export class FakeTemplateSrv implements TemplateSrv {
  constructor(private readonly variables: Record<string, string | string[]> = {}) {}

  getVariables(): TypedVariableModel[] {
    return Object.keys(this.variables).map((name) => ({ name, type: 'custom' }) as unknown as TypedVariableModel);
  }

  replace(target?: string, scopedVars?: ScopedVars, format?: string | Function): string {
    if (!target) {
      return target ?? '';
    }
    return target.replace(VARIABLE_REGEX, (match, v1, v2, fmt2, v3, _path, fmt3) => {
      const name: string = v1 || v2 || v3;
      const fmt = fmt2 || fmt3 || format;
      const variable = name in this.variables ? { name } : undefined;
      let value: unknown;
      if (scopedVars?.[name] !== undefined) {
        value = scopedVars[name]?.value;
      } else if (variable) {
        value = this.variables[name];
      } else {
        return match;
      }
      if (typeof fmt === 'function') {
        return (fmt as Formatter)(value, variable);
      }
      if (Array.isArray(value)) {
        if (fmt === 'pipe') {
          return value.join('|');
        }
        return value.length > 1 ? `{${value.join(',')}}` : String(value[0]);
      }
      return String(value);
    });
  }

  containsTemplate(target?: string): boolean {
    return !!target && new RegExp(VARIABLE_REGEX.source).test(target);
  }

  updateTimeRange(_range: TimeRange): void {}
}
