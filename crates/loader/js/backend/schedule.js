// defineFunction({ schedule }) validation and conversion to EventBridge Scheduler cron
// expressions, following @aws-amplify/backend-function's schedule_parser.

const DEFAULT_TIMEZONE = 'UTC';

const isWholeNumberBetweenInclusive = (test, min, max) =>
  min <= test && test <= max && test % 1 === 0;
const isPositiveWholeNumber = (test) => test > 0 && test % 1 === 0;

const hydrate = (schedule) => {
  if (typeof schedule === 'string') {
    return schedule.includes('every')
      ? { rate: schedule, timezone: DEFAULT_TIMEZONE }
      : { cron: schedule, timezone: DEFAULT_TIMEZONE };
  }
  if (schedule !== null && typeof schedule === 'object') {
    if ('rate' in schedule || 'cron' in schedule) {
      return { ...schedule, timezone: schedule.timezone ?? DEFAULT_TIMEZONE };
    }
  }
  throw new Error("Could not determine the function's schedule type");
};

const isTimeInterval = (schedule) => {
  const expression = 'rate' in schedule ? String(schedule.rate) : '';
  const parts = expression.split(' ');
  return (
    parts[0] === 'every' &&
    parts.length === 2 &&
    ['m', 'h', 'day', 'week', 'month', 'year'].some((a) => parts[1].endsWith(a))
  );
};

const parseTimeInterval = (interval) => {
  const part = interval.split(' ')[1];
  const value = part.match(/-?\d+\.?\d*/);
  const unit = part.match(/[a-zA-Z]+/);
  return { value: value ? Number(value[0]) : undefined, unit: unit ? unit[0] : undefined };
};

const validateList = (cronPart, value, min, max) =>
  value.split(',').every((v) => isWholeNumberBetweenInclusive(Number(v), min, max))
    ? undefined
    : `Cron list for ${cronPart} must contain whole numbers between ${min} and ${max}`;

const validateStep = (cronPart, value, min, max) => {
  const originalBase = value.split('/')[0];
  const [base, step] = value.split('/').map(Number);
  if (originalBase === '*') {
    if (Number.isNaN(step) || step <= 0 || !isPositiveWholeNumber(step)) {
      return `Cron step values for ${cronPart} must be positive whole numbers`;
    }
  } else if (
    Number.isNaN(base) ||
    Number.isNaN(step) ||
    !isWholeNumberBetweenInclusive(base, min, max) ||
    step <= 0
  ) {
    return `Cron step values for ${cronPart} must be whole numbers between ${min} and ${max}`;
  }
  return undefined;
};

const validateRange = (cronPart, value, min, max) => {
  const [start, end] = value.split('-').map(Number);
  if (
    Number.isNaN(start) ||
    Number.isNaN(end) ||
    !isWholeNumberBetweenInclusive(start, min, max) ||
    !isWholeNumberBetweenInclusive(end, min, max) ||
    start > end
  ) {
    return `Cron range for ${cronPart} must be whole numbers between ${min} and ${max}`;
  }
  return undefined;
};

const validateCronPart = (cronPart, value, min, max) => {
  const errors = [];
  if (value === '*') return errors;
  if (value === undefined) {
    errors.push(`Cron field for ${cronPart} must be a whole number between ${min} and ${max}`);
    return errors;
  }
  const hasStep = value.includes('/');
  const hasRange = value.includes('-');
  const hasList = value.includes(',');
  const push = (e) => e && errors.push(e);
  if (hasList) {
    push(validateList(cronPart, value, min, max));
    for (const item of value.split(',')) {
      if (item.includes('/')) push(validateStep(cronPart, item, min, max));
      else if (item.includes('-')) push(validateRange(cronPart, item, min, max));
    }
  } else if (hasStep) {
    push(validateStep(cronPart, value, min, max));
  } else if (hasRange) {
    push(validateRange(cronPart, value, min, max));
  }
  if (!hasStep && !hasRange && !hasList && !isWholeNumberBetweenInclusive(Number(value), min, max)) {
    errors.push(`Cron field for ${cronPart} must be a whole number between ${min} and ${max}`);
  }
  return errors;
};

const validateCron = (cron) => {
  const [minute, hour, dayOfMonth, month, dayOfWeek, year] = String(cron).split(' ');
  const errors = [
    ...validateCronPart('minutes', minute, 0, 59),
    ...validateCronPart('hours', hour, 0, 23),
    ...(dayOfMonth === '?' ? [] : validateCronPart('day-of-month', dayOfMonth, 1, 31)),
    ...validateCronPart('month', month, 1, 12),
    ...(dayOfWeek === '?' ? [] : validateCronPart('day-of-week', dayOfWeek, 1, 7)),
    ...(year ? validateCronPart('year', year, 1970, 2199) : []),
  ];
  if (dayOfMonth !== '?' && dayOfWeek !== '?') {
    errors.push(
      'Cron expressions cannot have both day-of-month and day-of-week defined, you must use a ? in one of the fields',
    );
  }
  return errors;
};

/** aws-cdk-lib's Schedule.cron(options).expressionString. */
const cronExpression = ({ minute, hour, day, month, weekDay, year }) => {
  const d = day ?? (weekDay !== undefined ? '?' : '*');
  return `cron(${minute ?? '*'} ${hour ?? '*'} ${d} ${month ?? '*'} ${weekDay ?? '?'} ${year ?? '*'})`;
};

const toCronOptions = (schedule) => {
  if (isTimeInterval(schedule)) {
    const { value, unit } = parseTimeInterval(schedule.rate);
    switch (unit) {
      case 'm':
        return { minute: `*/${value}` };
      case 'h':
        return { minute: '0', hour: `*/${value}` };
      case 'day':
        return { minute: '0', hour: '0', day: '*' };
      case 'week':
        return { minute: '0', hour: '0', weekDay: '1' };
      case 'month':
        return { minute: '0', hour: '0', day: '1', month: '*' };
      case 'year':
        return { minute: '0', hour: '0', day: '1', month: '1', year: '*' };
      default:
        throw new Error('Could not determine the schedule rate for the function');
    }
  }
  const parts = String(schedule.cron).split(' ');
  const options = {
    minute: parts[0],
    hour: parts[1],
    month: parts[3],
    year: parts.length === 6 ? parts[5] : '*',
  };
  if (parts[2] === '?') options.weekDay = parts[4];
  else options.day = parts[2];
  return options;
};

/**
 * Validate `schedule` (string | object | array) against the function timeout and return
 * `[{ expression: "cron(...)", timezone, description? }]`. Throws an Error with every problem.
 */
export const parseSchedules = (schedule, timeoutSeconds) => {
  if (!schedule) return [];
  const schedules = (Array.isArray(schedule) ? schedule : [schedule]).map(hydrate);
  const errors = [];
  const out = [];
  for (const s of schedules) {
    if (isTimeInterval(s)) {
      const { value, unit } = parseTimeInterval(s.rate);
      if (value && !isPositiveWholeNumber(value)) {
        errors.push('Function schedule rate must be set with a positive whole number');
      } else if (value && unit === 'm' && value * 60 < timeoutSeconds) {
        errors.push(
          `Function schedule rate must be greater than the function timeout of ${timeoutSeconds} ${timeoutSeconds > 1 ? 'seconds' : 'second'}`,
        );
      }
    } else if ('cron' in s) {
      errors.push(...validateCron(s.cron));
    } else {
      // A string with "every" that is not a valid interval, e.g. "every 5 minutes".
      errors.push(`Could not determine the schedule rate for the function from '${s.rate}'`);
    }
    if (errors.length === 0) {
      const entry = { expression: cronExpression(toCronOptions(s)), timezone: s.timezone };
      if (s.description !== undefined) entry.description = s.description;
      out.push(entry);
    }
  }
  if (errors.length > 0) throw new Error(errors.join('\n'));
  return out;
};
