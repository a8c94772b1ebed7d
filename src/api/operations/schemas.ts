// Operation schemas (API.md "Operations"): what every task-starting route answers.
import { Type } from 'typebox';

export const QuestionSchema = Type.Object(
  {
    id: Type.String({ description: 'vSphere question id (runtime.question.id)' }),
    text: Type.String(),
    choices: Type.Array(Type.Object({ key: Type.String(), label: Type.String() })),
    default: Type.Union([Type.String(), Type.Null()], { description: 'Key of the default choice (what auto_answer=1 answers)' }),
  },
  { $id: 'Question', description: 'A VM question that holds a task' },
);

export const OperationSchema = Type.Object(
  {
    id: Type.String({ description: 'Derived from the vSphere task, so any gateway instance can answer for it', examples: ['task-42'] }),
    kind: Type.String({ examples: ['domain.start'] }),
    target: Type.Object(
      {
        type: Type.String({ examples: ['domain'] }),
        name: Type.Optional(Type.String()),
        uuid: Type.Optional(Type.String()),
        moref: Type.Optional(Type.String()),
      },
      { additionalProperties: false },
    ),
    status: Type.Union(['running', 'succeeded', 'failed', 'cancelled', 'blocked'].map((s) => Type.Literal(s)), {
      description: 'blocked: a VM question holds the task (see question)',
    }),
    progress: Type.Integer({ minimum: 0, maximum: 100 }),
    question: Type.Optional(Type.Ref('Question')),
    error: Type.Optional(Type.Object({ code: Type.String(), detail: Type.String(), fault: Type.Optional(Type.String()) })),
    result: Type.Optional(Type.Unknown({ description: "The task's result (e.g. the MoRef of a new VM), when it has one" })),
    task: Type.String({ description: 'vSphere task MoRef value' }),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Operation', description: 'A long-running vSphere task' },
);

export const OperationListSchema = Type.Object({ items: Type.Array(Type.Ref('Operation')) }, { $id: 'OperationList' });

export const OperationParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200, description: 'Operation id' }) });
