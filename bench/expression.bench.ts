// Expression evaluations per second for typical expressions from the corpus (the most used
// functions: body, parameters, triggerBody, outputs, variables, items, equals, concat, split...):
// compiled once and evaluated many times, against parsing and evaluating each time.
import { compileString, type WorkflowContext } from '@flowbridge/expression';
import { compare, rate, type BenchResult } from './types.js';

const context: WorkflowContext = {
  trigger: () => ({
    name: 'manual',
    outputs: { headers: {}, body: { id: 42, name: 'Ada', items: [1, 2, 3], email: 'ada@example.com' } },
  }),
  action: (name) => ({
    name,
    status: 'Succeeded',
    outputs: { statusCode: 200, body: { value: [{ id: 1 }, { id: 2 }], outcome: 'Approve' } },
  }),
  variable: (name) => (name === 'counter' ? 7 : 'text'),
  parameter: () => 'https://example.com/api',
  item: () => ({ id: 3, title: 'Item three' }),
  now: () => 1_700_000_000_000,
};

const simple = [
  "@triggerBody()?['name']",
  "@body('Get_items')?['value']",
  "@parameters('baseUrl')",
  "@variables('counter')",
  "@items('For_each')?['title']",
  "@equals(outputs('Http')?['statusCode'], 200)",
];
const typical = [
  "@{parameters('baseUrl')}/users/@{encodeUriComponent(triggerBody()?['email'])}",
  "@concat('Hello ', triggerBody()?['name'], '!')",
  "@split(triggerBody()?['email'], '@')[1]",
  "@first(body('Get_items')?['value'])?['id']",
  "@if(equals(length(triggerBody()?['items']), 3), 'three', 'other')",
  "@outputs('Approval')?['body/outcome']",
  "@add(variables('counter'), 1)",
];

function measure(label: string, texts: string[]): BenchResult {
  const compiled = texts.map((t) => compileString(t));
  let i = 0;
  const once = rate(() => {
    compiled[i++ % compiled.length]!.evaluate(context);
  }, 1500);
  let j = 0;
  const every = rate(() => {
    compileString(texts[j++ % texts.length]!).evaluate(context);
  }, 1500);
  return compare(`${label}: compiled once`, once, 'evals/s', every, 'parsed every time');
}

export async function run(): Promise<BenchResult[]> {
  return [measure('simple', simple), measure('typical', typical)];
}
