// A form-js `validator` service with Chinese messages that mirrors the server's
// checks (egov/eforms/validation.py). The server decides; this only spares the
// person a round trip.
import { CHINESE_VALIDATORS, VALIDATOR_PROPERTY } from "./validators.js";

const EMAIL =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
const PHONE = /^(\+|00)[1-9][0-9]{6,22}$/;

function isEmpty(field, value) {
  if (value === null || value === undefined || value === "") {
    return true;
  }
  return Array.isArray(value) && value.length === 0;
}

function decimals(value) {
  const text = String(value);
  if (/e-/i.test(text)) {
    return Number(text.split(/e-/i)[1]);
  }
  const dot = text.indexOf(".");
  return dot < 0 ? 0 : text.length - dot - 1;
}

export function fieldErrors(field, value) {
  const errors = [];
  const validate = field.validate || {};
  if (field.type === "checkbox") {
    if (validate.required && value !== true) {
      errors.push("请勾选此项");
    }
    return errors;
  }
  if (isEmpty(field, value)) {
    if (validate.required) {
      errors.push("此项为必填项");
    }
    return errors;
  }
  if (field.type === "number") {
    if (value === "NaN" || Number.isNaN(Number(value))) {
      return ["应为数字"];
    }
    const number = Number(value);
    if (field.decimalDigits !== undefined && field.decimalDigits !== null) {
      if (decimals(value) > field.decimalDigits) {
        errors.push(
          field.decimalDigits === 0 ? "应为整数" : `最多保留${field.decimalDigits}位小数`,
        );
      }
    }
    if (validate.min !== undefined && validate.min !== "" && number < Number(validate.min)) {
      errors.push(`不能小于${validate.min}`);
    }
    if (validate.max !== undefined && validate.max !== "" && number > Number(validate.max)) {
      errors.push(`不能大于${validate.max}`);
    }
    return errors;
  }
  if (typeof value === "string" && (field.type === "textfield" || field.type === "textarea")) {
    const length = value.trim().length;
    if (validate.minLength !== undefined && validate.minLength !== "" && length < validate.minLength) {
      errors.push(`长度不能少于${validate.minLength}个字符`);
    }
    if (validate.maxLength !== undefined && validate.maxLength !== "" && length > validate.maxLength) {
      errors.push(`长度不能超过${validate.maxLength}个字符`);
    }
    if (validate.pattern) {
      let matches = true;
      try {
        matches = new RegExp(validate.pattern).test(value);
      } catch (error) {
        matches = true;
      }
      if (!matches) {
        errors.push(validate.patternErrorMessage || "格式不正确");
      }
    }
    if (validate.validationType === "email" && !EMAIL.test(value)) {
      errors.push("请输入有效的电子邮箱地址");
    }
    if (validate.validationType === "phone" && !PHONE.test(value)) {
      errors.push("请输入有效的国际电话号码（如 +8613912345678）");
    }
    const check = CHINESE_VALIDATORS[(field.properties || {})[VALIDATOR_PROPERTY]];
    const problem = check ? check(value) : null;
    if (problem) {
      errors.push(problem);
    }
  }
  return errors;
}

export class ChineseValidator {
  constructor(formFieldRegistry) {
    this._formFieldRegistry = formFieldRegistry;
  }

  validateField(field, value) {
    return fieldErrors(field, value);
  }

  validateFieldInstance(fieldInstance, value) {
    const field = this._formFieldRegistry.get(fieldInstance.id);
    return field ? fieldErrors(field, value) : [];
  }
}

ChineseValidator.$inject = ["formFieldRegistry"];

export const ChineseValidatorModule = {
  validator: ["type", ChineseValidator],
};
