// The Chinese identifier checks of egov/core/validators.py, so a form shows
// the same message before sending as the server gives after.

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = "10X98765432";
const USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export function idNumberError(raw) {
  const value = (raw || "").trim().toUpperCase();
  if (value.length !== 18) {
    return "身份证号应为18位";
  }
  if (!/^[0-9]{17}[0-9X]$/.test(value)) {
    return "身份证号前17位应为数字，最后一位为数字或X";
  }
  const year = Number(value.slice(6, 10));
  const month = Number(value.slice(10, 12));
  const day = Number(value.slice(12, 14));
  const born = new Date(year, month - 1, day);
  const real =
    born.getFullYear() === year && born.getMonth() === month - 1 && born.getDate() === day;
  if (!real || year < 1900 || born > new Date()) {
    return "身份证号中的出生日期无效";
  }
  let total = 0;
  for (let i = 0; i < 17; i += 1) {
    total += Number(value[i]) * ID_WEIGHTS[i];
  }
  if (ID_CHECK[total % 11] !== value[17]) {
    return "身份证号校验位不正确，请核对后重新输入";
  }
  return null;
}

export function usccError(raw) {
  const value = (raw || "").trim().toUpperCase();
  if (value.length !== 18) {
    return "统一社会信用代码应为18位";
  }
  if (!/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(value)) {
    return "统一社会信用代码含有无效字符（不使用I、O、Z、S、V）";
  }
  if (!/^[0-9]{6}$/.test(value.slice(2, 8))) {
    return "统一社会信用代码第3至8位应为登记管理机关的行政区划代码（数字）";
  }
  let total = 0;
  for (let i = 0; i < 17; i += 1) {
    total += USCC_CHARS.indexOf(value[i]) * USCC_WEIGHTS[i];
  }
  if (USCC_CHARS[(31 - (total % 31)) % 31] !== value[17]) {
    return "统一社会信用代码校验位不正确，请核对后重新输入";
  }
  return null;
}

export function mobileError(raw) {
  return /^1[3-9][0-9]{9}$/.test((raw || "").trim()) ? null : "请输入11位中国大陆手机号码";
}

export const CHINESE_VALIDATORS = {
  id_number: idNumberError,
  uscc: usccError,
  mobile: mobileError,
};

export const VALIDATOR_PROPERTY = "egov:validator";
