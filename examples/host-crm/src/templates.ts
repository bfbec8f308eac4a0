/**
 * The flow templates this CRM registers with Flowbridge at setup. Each uses the CRM's connector
 * through the connection reference `crm`, which instantiating binds to a connection.
 */
import { TRIGGERS } from './events.js';

export const CONNECTOR_NAME = 'shared_hostcrm';
export const API_ID = `/providers/Microsoft.PowerApps/apis/${CONNECTOR_NAME}`;
/** The connection reference name every template uses. */
export const REFERENCE = 'crm';

export interface TemplateSpec {
  name: string;
  description: string;
  /** Definition parameters the person instantiating it fills in (all strings). */
  parameters: Record<string, string>;
  definition: Record<string, unknown>;
}

const crm = (operationId: string) => ({ host: { connectionName: REFERENCE, operationId, apiId: API_ID } });

const trigger = (operationId: string, parameters: Record<string, string> = {}) => ({
  type: 'OpenApiConnectionWebhook',
  inputs: { ...crm(operationId), parameters },
});

const action = (operationId: string, parameters: Record<string, unknown>, after?: string) => ({
  type: 'OpenApiConnection',
  inputs: { ...crm(operationId), parameters },
  runAfter: after ? { [after]: ['Succeeded'] } : {},
});

const stringParameters = (names: Record<string, string>) =>
  Object.fromEntries(Object.keys(names).map((n) => [n, { type: 'String', defaultValue: '' }]));

const definition = (parameters: Record<string, string>, rest: Record<string, unknown>) => ({
  $schema: 'https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#',
  contentVersion: '1.0.0.0',
  parameters: stringParameters(parameters),
  ...rest,
});

const approvalParameters = {
  approver: 'Email of the person who approves requests (a Flowbridge user)',
};

export const TEMPLATES: readonly TemplateSpec[] = [
  {
    name: 'Approve discount requests',
    description:
      'When a request is created, ask for an approval linked to it; the CRM settles the request with the outcome.',
    parameters: approvalParameters,
    definition: definition(approvalParameters, {
      triggers: { When_a_request_is_created: trigger(TRIGGERS.created, { table: 'requests' }) },
      actions: {
        Get_request: action('GetRecord', { table: 'requests', id: "@triggerBody()?['id']" }),
        Get_customer: action(
          'GetRecord',
          { table: 'customers', id: "@body('Get_request')?['customerId']" },
          'Get_request',
        ),
        Start_and_wait_for_an_approval: {
          type: 'OpenApiConnectionWebhook',
          runAfter: { Get_customer: ['Succeeded'] },
          inputs: {
            host: {
              connectionName: 'shared_approvals',
              operationId: 'StartAndWaitForAnApproval',
              apiId: '/providers/Microsoft.PowerApps/apis/shared_approvals',
            },
            parameters: {
              approvalType: 'Basic',
              'WebhookApprovalCreationInput/title':
                "@{body('Get_request')?['percent']}% @{body('Get_request')?['kind']} for @{body('Get_customer')?['name']}",
              'WebhookApprovalCreationInput/assignedTo': "@parameters('approver')",
              'WebhookApprovalCreationInput/details': "Reason: @{body('Get_request')?['reason']}",
              'WebhookApprovalCreationInput/itemLink': "@body('Get_request')?['url']",
              'WebhookApprovalCreationInput/itemLinkDescription': "Request #@{body('Get_request')?['id']}",
              'WebhookApprovalCreationInput/enableNotifications': false,
              'WebhookApprovalCreationInput/linkedRequest': { callbackUrl: "@body('Get_request')?['settleUrl']" },
            },
          },
        },
        Add_a_note: action(
          'AddNote',
          {
            customerId: "@body('Get_request')?['customerId']",
            'body/body':
              "Request #@{body('Get_request')?['id']}: @{outputs('Start_and_wait_for_an_approval')?['body/outcome']}",
            'body/author': 'flowbridge',
          },
          'Start_and_wait_for_an_approval',
        ),
      },
    }),
  },
  {
    name: 'Mark a customer as VIP',
    description: 'An instant flow for a selected customer: sets its status to vip and notes it.',
    parameters: {},
    definition: definition(
      {},
      {
        triggers: { For_a_selected_record: trigger(TRIGGERS.instant) },
        actions: {
          Update_record: action('UpdateRecord', {
            table: "@triggerBody()?['table']",
            id: "@triggerBody()?['id']",
            'body/status': 'vip',
          }),
          Add_a_note: action(
            'AddNote',
            {
              customerId: "@triggerBody()?['id']",
              'body/body': "Marked as VIP (was @{triggerBody()?['record']?['status']}).",
              'body/author': 'flowbridge',
            },
            'Update_record',
          ),
        },
      },
    ),
  },
  {
    name: 'Thank large orders',
    description: 'When an order of 1000 or more is placed, add a note to call the customer.',
    parameters: {},
    definition: definition(
      {},
      {
        triggers: { When_a_large_order_is_placed: trigger(TRIGGERS.event, { event: 'order.large' }) },
        actions: {
          Add_a_note: action('AddNote', {
            customerId: "@triggerBody()?['record']?['customerId']",
            'body/body':
              "Large order #@{triggerBody()?['id']} (@{triggerBody()?['record']?['amount']}): call to thank them.",
            'body/author': 'flowbridge',
          }),
        },
      },
    ),
  },
];
